import path from 'node:path';
import type { Config } from './config.js';
import { bootstrapTokenPath } from './db/bootstrap.js';

/**
 * What a person who ran `pnpm start` in a terminal needs next, in a few lines: where the
 * server is, where its admin token is, and how to log the CLI in. Machines read the JSON
 * logs instead; this is printed only when stdout is a terminal.
 */
export function startBanner(config: Pick<Config, 'databaseUrl' | 'bootstrapToken' | 'dataDir'>, graphqlUrl: string, cwd = process.cwd()): string {
  const base = graphqlUrl.replace(/\/graphql$/, '');
  const generated = config.databaseUrl === null && config.bootstrapToken === null;
  const absolute = bootstrapTokenPath(config.dataDir);
  const relative = path.relative(cwd, absolute);
  // .countersign/admin-token when it is under the working directory, as after `pnpm start`.
  const tokenFile = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
  const token = generated
    ? `Admin token:  in ${tokenFile} (mode 0600)`
    : config.bootstrapToken !== null
      ? 'Admin token:  the value of COUNTERSIGN_BOOTSTRAP_TOKEN'
      : 'Admin token:  none set: start with COUNTERSIGN_BOOTSTRAP_TOKEN to create the first admin tokens';
  const login = generated
    ? `pnpm -s countersign login --url ${base} --token - < ${tokenFile}`
    : `pnpm -s countersign login --url ${base} --token -   # paste the token`;
  return [
    '',
    `Countersign is running at ${base}  (GraphQL and WebSocket: ${graphqlUrl})`,
    token,
    `Log the CLI in:  ${login}`,
    'Stop with Ctrl-C. The JSON lines around this are the logs, for machines (LOG_LEVEL sets how many).',
    '',
    '',
  ].join('\n');
}
