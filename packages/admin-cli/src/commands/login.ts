import { ME } from '../api/operations.js';
import type { Principal } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { DEFAULT_URL, normalizeUrl } from '../config/connection.js';
import { DEFAULT_PROFILE, readConfig, removeProfile, saveProfile } from '../config/profiles.js';
import { CliError, ExitCode } from '../errors.js';
import { fields, text } from '../output/view.js';
import { readAll, readLine } from '../runtime.js';

export interface LoginResult {
  readonly profile: string;
  readonly url: string;
  readonly principal: Principal;
  readonly configPath: string;
}

/**
 * Verifies a token with `me` and saves it as a profile (mode 0600), so later commands
 * need no flags. `--token -` reads the token from stdin, keeping it out of shell history.
 * Without `--url`, the server is COUNTERSIGN_URL, else the current profile's, else the
 * local default.
 */
export async function login(ctx: CommandContext): Promise<LoginResult> {
  const { env } = ctx.io;
  // A second profile (an approver's, next to an admin's) is usually for the same server.
  const config = await readConfig(ctx.configPath);
  const currentUrl = config.current ? config.profiles[config.current]?.url : undefined;
  const url = normalizeUrl(ctx.flags.url ?? env.COUNTERSIGN_URL ?? currentUrl ?? DEFAULT_URL);
  const profile = ctx.flags.profile ?? env.COUNTERSIGN_PROFILE ?? DEFAULT_PROFILE;
  const given = ctx.flags.token === '-' ? await readToken(ctx) : (ctx.flags.token ?? env.COUNTERSIGN_TOKEN);
  if (!given) throw CliError.usage('login needs a token: --token <token>, or --token - to read it from stdin.');
  const connection = { url, token: given, profile, sources: { url: 'flag', token: 'flag' } } as const;
  let me: Principal;
  try {
    ({ me } = await ctx.connect(connection).request(ME, {}));
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.UNAUTHENTICATED) {
      throw new CliError(`${url} rejected the token: nothing was saved.`, ExitCode.UNAUTHENTICATED);
    }
    throw error;
  }
  await saveProfile(ctx.configPath, profile, { url, token: given, principal: { kind: me.kind, name: me.name }, savedAt: ctx.now().toISOString() });
  return { profile, url, principal: me, configPath: ctx.configPath };
}

/**
 * `--token -`: piped, all of stdin; typed or pasted at a terminal, one line after a prompt
 * (waiting for end-of-file there would leave the person staring at a silent terminal).
 */
async function readToken(ctx: CommandContext): Promise<string> {
  if (!ctx.interactive) return (await readAll(ctx.io.stdin)).trim();
  ctx.io.stderr.write('Paste the token, then press Enter: ');
  return (await readLine(ctx.io.stdin)).trim();
}

export const loginPresenter: Presenter<LoginResult> = {
  view: (r) => [
    text(`Logged in to ${r.url} as ${r.principal.name} (${r.principal.kind}).`, 'good'),
    fields([
      ['Profile', r.profile],
      ['Saved in', r.configPath],
    ]),
  ],
};

export interface LogoutResult {
  readonly profile: string;
  readonly removed: boolean;
}

/** Forgets a saved profile (the token stays valid on the server until an admin rotates it). */
export async function logout(ctx: CommandContext): Promise<LogoutResult> {
  const profile = ctx.flags.profile ?? ctx.io.env.COUNTERSIGN_PROFILE ?? DEFAULT_PROFILE;
  return { profile, removed: await removeProfile(ctx.configPath, profile) };
}

export const logoutPresenter: Presenter<LogoutResult> = {
  view: (r) => [r.removed ? text(`Removed profile "${r.profile}".`) : text(`No profile named "${r.profile}"; nothing to remove.`, 'muted')],
};
