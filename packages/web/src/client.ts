import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';

export interface ClientEvents {
  /** The session is gone (signed out elsewhere, expired, revoked): back to sign-in. */
  onUnauthenticated(): void;
  /** Whether the server answered the last request at all. */
  onReachable(reachable: boolean): void;
  /** The live socket connected (again): what it pushes may have been missed meanwhile. */
  onConnected(): void;
}

/**
 * One urql client per session: HTTP with the session cookie (same origin), and graphql-ws
 * on the same path, which the server authenticates by that cookie too. Nothing here holds
 * a token.
 */
export function createGraphqlClient(events: ClientEvents): { client: Client; dispose(): void } {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    // Backoff capped at 10 s, so a server that comes back is noticed soon.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    on: {
      connected: () => {
        events.onReachable(true);
        events.onConnected();
      },
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 4401 || code === 4403) events.onUnauthenticated();
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin', headers: { 'content-type': 'application/json' } },
    preferGetMethod: false,
    exchanges: [
      mapExchange({
        onResult(result) {
          if (result.operation.kind !== 'subscription') events.onReachable(!isUnreachable(result.error));
          return result;
        },
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || (error.response as Response | undefined)?.status === 401) {
            events.onUnauthenticated();
          }
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

function isUnreachable(error: { networkError?: Error; response?: unknown } | undefined): boolean {
  if (!error?.networkError) return false;
  const status = (error.response as Response | undefined)?.status;
  return status === undefined || status >= 502;
}
