import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { startGateway } from './gateway.js';
import { buildLock, lockPathFor, writeLock } from './lock/lock.js';
import { serveHttp } from './serve/http.js';
import { GATEWAY_VERSION } from './version.js';

const USAGE = `Usage:
  countersign-mcp [--config gateway.yaml]                serve over stdio (for desktop MCP clients)
  countersign-mcp [--config gateway.yaml] --http PORT [--host 127.0.0.1]
                                                         serve Streamable HTTP at http://HOST:PORT/mcp
  countersign-mcp lock [--config gateway.yaml]           pin every upstream tool's definition in gateway.lock

Environment: COUNTERSIGN_API_KEY (the gateway's agent key, required to serve), COUNTERSIGN_URL
(when the config has no countersign.url), COUNTERSIGN_MCP_TOKEN (a bearer token HTTP clients must send).`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Thrown for a usage or config problem: printed as is, exit code 2. */
export class UsageError extends Error {}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the command; resolves with a function that stops what it started (serving), or nothing. */
export async function runCli(argv: string[], io: CliIo): Promise<(() => Promise<void>) | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'gateway.yaml' },
        http: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return undefined;
  }
  if (values.version) {
    io.stdout(`${GATEWAY_VERSION}\n`);
    return undefined;
  }
  const [command, ...rest] = positionals;
  if (rest.length > 0 || (command !== undefined && command !== 'lock')) throw new UsageError(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`);

  let loaded;
  try {
    loaded = loadConfigFile(values.config, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const log = (message: string) => io.stderr(`${message}\n`);

  if (command === 'lock') {
    const gateway = await startGateway({ loaded, log, useLock: false, env: io.env });
    try {
      const lock = buildLock(await gateway.allTools());
      const file = lockPathFor(loaded.file);
      writeLock(file, lock);
      io.stdout(`Wrote ${file}: ${Object.keys(lock.tools).length} tools pinned (${Object.keys(lock.tools).join(', ') || 'none'}).\n`);
    } finally {
      await gateway.close();
    }
    return undefined;
  }

  if (!io.env.COUNTERSIGN_API_KEY) throw new UsageError('COUNTERSIGN_API_KEY is not set: the gateway acts as one Countersign agent (create one with `countersign agents create`).');
  if (!loaded.config.countersign.url && !io.env.COUNTERSIGN_URL) {
    throw new UsageError(`No Countersign URL: set countersign.url in ${loaded.file} or COUNTERSIGN_URL.`);
  }
  let http: { port: number; token: string | undefined } | undefined;
  if (values.http !== undefined) {
    const port = Number(values.http);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--http takes a port number, not "${values.http}"`);
    const token = io.env.COUNTERSIGN_MCP_TOKEN || undefined;
    if (!token && !LOOPBACK.has(values.host)) {
      throw new UsageError(`--host ${values.host} lets other machines call these tools as your agent: set COUNTERSIGN_MCP_TOKEN so that only clients sending it get in.`);
    }
    http = { port, token };
  }
  const gateway = await startGateway({ loaded, log, env: io.env });

  if (http) {
    const served = await serveHttp(gateway, { port: http.port, host: values.host, token: http.token, log }).catch(async (error: unknown) => {
      await gateway.close();
      throw error;
    });
    log(`countersign-mcp: serving ${served.url}`);
    return async () => {
      await served.close();
      await gateway.close();
    };
  }

  const server = gateway.createServer();
  const transport = new StdioServerTransport();
  let closed = false;
  const stop = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
  };
  // The client closing our stdin ends the session, and with it the gateway.
  transport.onclose = () => void stop().then(() => process.exit(0));
  await server.connect(transport);
  return stop;
}
