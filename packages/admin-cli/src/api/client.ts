import { GraphQLClient } from 'graphql-request';
import { CliError, ExitCode } from '../errors.js';
import type { Connection } from '../config/connection.js';
import { toCliError } from './errors.js';
import type { Operation } from './operation.js';

/** How long one request may take before the CLI gives up and says the server is unavailable. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** The CLI's view of the server: typed requests whose failures are already {@link CliError}s. */
export interface Api {
  readonly url: string;
  request<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables): Promise<TData>;
}

/**
 * Creates the HTTP client for a connection. Requests without a token fail before they are
 * sent, with the one line that says how to get one; a `fetch` can be injected for tests.
 */
export function createApi(connection: Connection, options: { fetch?: typeof fetch; userAgent?: string } = {}): Api {
  const { url, token } = connection;
  const client = new GraphQLClient(url, {
    fetch: options.fetch,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'user-agent': options.userAgent ?? 'countersign-cli',
    },
  });
  return {
    url,
    async request<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables): Promise<TData> {
      if (!token) {
        throw new CliError(
          `Not logged in to ${url}: run \`countersign login --url ${url} --token <token>\` or set COUNTERSIGN_TOKEN.`,
          ExitCode.UNAUTHENTICATED,
        );
      }
      try {
        return await client.request<TData>({
          document: op.source,
          variables: variables as Record<string, unknown>,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw toCliError(error, url);
      }
    },
  };
}
