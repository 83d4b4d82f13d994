import { CliError } from '../errors.js';
import { DEFAULT_PROFILE, type ConfigFile } from './profiles.js';

/** Where the server listens when nothing says otherwise (DESIGN §6: HOST, PORT). */
export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

/** Where each part of a connection came from; shown by `countersign me` and in errors. */
export type Source = 'flag' | 'env' | 'profile' | 'default';

export interface Connection {
  readonly url: string;
  readonly token: string | undefined;
  readonly profile: string;
  readonly sources: { readonly url: Source; readonly token: Source | undefined };
}

export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly profile?: string;
}

/**
 * Accepts what people type — `localhost:4000`, `https://cs.example.com` — and returns
 * the GraphQL endpoint: `http://` when no scheme is given, `/graphql` when no path is.
 */
export function normalizeUrl(input: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `http://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw CliError.usage(`"${input}" is not a URL: use e.g. http://127.0.0.1:4000/graphql.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw CliError.usage(`"${input}" is not an http(s) URL.`);
  }
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/graphql';
  return url.toString();
}

/**
 * Resolves the server and token: flags beat environment variables beat the saved profile,
 * each part on its own. A profile's token is only sent to the profile's own server, so
 * `--url https://elsewhere` never leaks the saved token to another host.
 */
export function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>, config: ConfigFile): Connection {
  const explicitProfile = flags.profile ?? env.COUNTERSIGN_PROFILE;
  const name = explicitProfile ?? config.current ?? DEFAULT_PROFILE;
  const profile = config.profiles[name];
  if (explicitProfile && !profile) {
    const known = Object.keys(config.profiles);
    throw CliError.usage(
      `No profile named "${explicitProfile}"${known.length > 0 ? ` (saved: ${known.join(', ')})` : ''}: create it with \`countersign login --profile ${explicitProfile}\`.`,
    );
  }

  const envUrl = nonEmpty(env.COUNTERSIGN_URL);
  const [rawUrl, urlSource]: [string, Source] = flags.url
    ? [flags.url, 'flag']
    : envUrl
      ? [envUrl, 'env']
      : profile
        ? [profile.url, 'profile']
        : [DEFAULT_URL, 'default'];
  const url = normalizeUrl(rawUrl);

  const envToken = nonEmpty(env.COUNTERSIGN_TOKEN);
  const [token, tokenSource]: [string | undefined, Source | undefined] = flags.token
    ? [flags.token, 'flag']
    : envToken
      ? [envToken, 'env']
      : profile && normalizeUrl(profile.url) === url
        ? [profile.token, 'profile']
        : [undefined, undefined];

  return { url, token, profile: name, sources: { url: urlSource, token: tokenSource } };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
