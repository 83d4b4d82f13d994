import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';

/** One saved connection: where the server is and the token to use there. */
export interface Profile {
  readonly url: string;
  readonly token: string;
  /** Who the token belongs to, as `me` said at login; shown by `countersign me` offline hints. */
  readonly principal?: { readonly kind: string; readonly name: string };
  readonly savedAt: string;
}

/** The config file: named profiles (like kubectl contexts) and the one in use. */
export interface ConfigFile {
  readonly current?: string;
  readonly profiles: Readonly<Record<string, Profile>>;
}

export const DEFAULT_PROFILE = 'default';

/**
 * Where profiles live: `$XDG_CONFIG_HOME/countersign/config.json`, else
 * `~/.config/countersign/config.json` (the XDG default, which gh and many CLIs use on
 * macOS too), or `%APPDATA%\countersign\config.json` on Windows.
 */
export function configPath(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0
      ? env.XDG_CONFIG_HOME
      : platform === 'win32' && env.APPDATA
        ? env.APPDATA
        : join(env.HOME ?? homedir(), '.config');
  return join(base, 'countersign', 'config.json');
}

/** Reads the config file; a missing file is an empty config, a corrupt one an error. */
export async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ConfigFile>;
    return { current: parsed.current, profiles: parsed.profiles ?? {} };
  } catch {
    throw CliError.invalid(`${path} is not valid JSON: fix or delete it, then run \`countersign login\` again.`);
  }
}

/**
 * Writes the config with mode 0600 (it holds bearer tokens) in a 0700 directory. The file
 * is written beside its final name and renamed over it, so a crash never leaves half a
 * file, and the mode is set before any token is in it.
 */
export async function writeConfig(path: string, config: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode is filtered by the umask and ignored for existing files: be explicit.
  await chmod(temporary, 0o600);
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Saves (or replaces) a profile and makes it the current one. */
export async function saveProfile(path: string, name: string, profile: Profile): Promise<void> {
  const config = await readConfig(path);
  await writeConfig(path, { current: name, profiles: { ...config.profiles, [name]: profile } });
}

/** Removes a profile; returns false when there was none of that name. */
export async function removeProfile(path: string, name: string): Promise<boolean> {
  const config = await readConfig(path);
  if (!(name in config.profiles)) return false;
  const { [name]: _removed, ...rest } = config.profiles;
  const current = config.current === name ? Object.keys(rest)[0] : config.current;
  await writeConfig(path, { current, profiles: rest });
  return true;
}
