import type { CommandContext, Presenter } from '../command.js';
import { readConfig, writeConfig } from '../config/profiles.js';
import { CliError } from '../errors.js';
import { table, text, toned } from '../output/view.js';

export interface ProfileSummary {
  readonly name: string;
  readonly current: boolean;
  readonly url: string;
  readonly principal: string;
}

/** The saved profiles, tokens left out (they are secrets, and `me` shows who one is). */
export async function listProfiles(ctx: CommandContext): Promise<ProfileSummary[]> {
  const config = await readConfig(ctx.configPath);
  return Object.entries(config.profiles).map(([name, p]) => ({
    name,
    current: name === config.current,
    url: p.url,
    principal: p.principal ? `${p.principal.name} (${p.principal.kind})` : '',
  }));
}

/** Makes a saved profile the one used when no `--profile` is given (`kubectl config use-context`). */
export async function useProfile(ctx: CommandContext, name: string): Promise<ProfileSummary[]> {
  const config = await readConfig(ctx.configPath);
  if (!(name in config.profiles)) {
    const known = Object.keys(config.profiles);
    throw CliError.usage(`No profile named "${name}"${known.length > 0 ? ` (saved: ${known.join(', ')})` : ''}.`);
  }
  await writeConfig(ctx.configPath, { ...config, current: name });
  return listProfiles(ctx);
}

export const profilesPresenter: Presenter<ProfileSummary[]> = {
  view: (profiles) => [
    table(
      [{ header: ' ' }, 'Name', 'Server', 'As'],
      profiles.map((p) => [p.current ? toned('*', 'good') : '', p.name, p.url, p.principal]),
      'No saved profiles. Save one: countersign login --url <url> --token -',
    ),
    ...(profiles.length > 1 ? [text('Switch with: countersign profiles use <name>', 'muted')] : []),
  ],
};
