import { createClient, CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import type { Connection } from '../config/connection.js';
import { CliError, ExitCode } from '../errors.js';
import { fromServerErrors } from './errors.js';
import type { Operation } from './operation.js';

/** `http://host/graphql` → `ws://host/graphql`: graphql-ws shares the HTTP endpoint (DESIGN §4). */
export function toWebSocketUrl(url: string): string {
  return url.replace(/^http/i, 'ws');
}

/** Close codes after which reconnecting cannot help: the server said no to this client. */
const FATAL: Readonly<Record<number, [string, ExitCode]>> = {
  [CloseCode.Unauthorized]: ['the server refused the token', ExitCode.UNAUTHENTICATED],
  [CloseCode.Forbidden]: ['the token may not subscribe to this', ExitCode.FORBIDDEN],
  [CloseCode.BadRequest]: ['the server rejected the subscription', ExitCode.ERROR],
};

function closeCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function toCliError(error: unknown, url: string): CliError {
  if (error instanceof CliError) return error;
  if (Array.isArray(error)) return fromServerErrors(error as { message: string }[], url);
  const code = closeCode(error);
  const reason = (error as { reason?: unknown } | null)?.reason;
  const fatal = code === undefined ? undefined : FATAL[code];
  if (fatal) return new CliError(`${url}: ${typeof reason === 'string' && reason ? reason : fatal[0]}.`, fatal[1]);
  const detail = error instanceof Error ? error.message : code !== undefined ? `connection closed (${code})` : 'connection failed';
  return new CliError(`Lost the live connection to ${url}: ${detail}.`, ExitCode.UNAVAILABLE, { cause: error });
}

export interface SubscribeOptions {
  /** Ends the subscription cleanly (the iterator returns). */
  readonly signal: AbortSignal;
  /** Told when the connection drops and is being re-established, and when it is back. */
  readonly onStatus?: (status: 'connected' | 'reconnecting') => void;
  /** How often to retry a dropped connection before giving up. @default 10 */
  readonly retryAttempts?: number;
}

/**
 * Subscribes over graphql-ws with the bearer token in `connectionParams` (DESIGN §4) and
 * yields each result's data until `signal` aborts. Dropped connections are retried with
 * graphql-ws's backoff; a refused token or a GraphQL error ends it with a {@link CliError}.
 */
export async function* subscribe<TData>(connection: Connection, op: Operation<TData, Record<string, never>>, options: SubscribeOptions): AsyncGenerator<TData> {
  const { url, token } = connection;
  if (!token) {
    throw new CliError(`Not logged in to ${url}: run \`countersign login\` or set COUNTERSIGN_TOKEN.`, ExitCode.UNAUTHENTICATED);
  }
  let connectedBefore = false;
  let finished = false;
  const client = createClient({
    url: toWebSocketUrl(url),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: options.retryAttempts ?? 10,
    shouldRetry: (error) => !(closeCode(error)! in FATAL),
    on: {
      connected: () => {
        if (connectedBefore) options.onStatus?.('connected');
        connectedBefore = true;
      },
      closed: () => {
        if (connectedBefore && !finished && !options.signal.aborted) options.onStatus?.('reconnecting');
      },
    },
  });
  const results = client.iterate<TData>({ query: op.source, operationName: op.name });
  const stop = () => void results.return?.();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const result of results) {
      if (result.errors && result.errors.length > 0) throw fromServerErrors(result.errors, url);
      if (result.data) yield result.data;
    }
  } catch (error) {
    if (!options.signal.aborted) throw toCliError(error, url);
  } finally {
    finished = true;
    options.signal.removeEventListener('abort', stop);
    await client.dispose();
  }
}
