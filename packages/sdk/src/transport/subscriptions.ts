import { print, type GraphQLFormattedError } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CountersignError, fromGraphQLError, type ErrorCode } from '../errors.js';
import { ActionUpdatedDocument, type ActionUpdatedSubscription } from '../generated/graphql.js';
import { backoffDelay, type ResolvedRetryPolicy } from '../retry.js';
import { sleep } from '../timers.js';
import type { ActionRequest, Logger } from '../types.js';

export interface SubscriptionTransportOptions {
  url: URL;
  apiKey: string;
  webSocketImpl: unknown;
  retry: ResolvedRetryPolicy;
  keepAliveMs: number;
  logger: Logger;
}

export interface ActionWatcher {
  next(action: ActionRequest): void;
  /** A {@link CountersignError}; `retryable` says whether subscribing again may help. */
  error(error: CountersignError): void;
  /** The server ended the subscription (it does after a terminal status). */
  complete(): void;
}

export interface SubscriptionTransport {
  /** Subscribes to `actionUpdated(id)`; returns a function that unsubscribes. */
  watch(id: string, watcher: ActionWatcher): () => void;
  /** True while the WebSocket is open and acknowledged. */
  readonly connected: boolean;
  /** Calls `listener` whenever the socket connects (true) or closes (false). */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  dispose(): Promise<void>;
}

const ACTION_UPDATED = print(ActionUpdatedDocument);

/** Close codes that mean the API key was refused: retrying cannot help. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

/**
 * One WebSocket per client, opened when the first wait starts and closed after the last
 * ends (graphql-ws `lazy`). When it drops, graphql-ws reconnects with the client's backoff
 * for as long as a wait needs it, and subscribes every active wait again; `actionUpdated`
 * first emits the current state, so a decision made meanwhile is not lost.
 */
export function createSubscriptionTransport({ url, apiKey, webSocketImpl, retry, keepAliveMs, logger }: SubscriptionTransportOptions): SubscriptionTransport {
  const listeners = new Set<(connected: boolean) => void>();
  let connected = false;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const setConnected = (value: boolean) => {
    if (connected === value) return;
    connected = value;
    for (const listener of listeners) listener(value);
  };

  const client: WsClient = createWsClient({
    url: url.href,
    webSocketImpl: webSocketImpl ?? WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    lazy: true,
    keepAlive: keepAliveMs,
    retryAttempts: Infinity,
    retryWait: (retries) => sleep(backoffDelay(retry, retries + 1)),
    // graphql-ws by default gives up on errors that are not close events (a refused
    // connection, say); a wait must outlast a server restart, so retry all but auth.
    shouldRetry: (event) => !(isCloseEvent(event) && AUTH_CLOSE_CODES.has(event.code)),
    on: {
      connected: (_socket, _payload, wasRetry) => {
        if (wasRetry) logger.info(`Countersign WebSocket reconnected to ${url.href}`);
        setConnected(true);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        if (connected && isCloseEvent(event) && event.code !== 1000) {
          logger.warn(`Countersign WebSocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''}); reconnecting`, { code: event.code });
        }
        setConnected(false);
      },
      // graphql-ws pings but never notices a missing pong; a half-open TCP connection
      // (a NAT that forgot us, a laptop that slept) would leave a wait deaf forever.
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          logger.warn(`Countersign WebSocket sent no pong within ${keepAliveMs} ms; reconnecting`);
          client.terminate();
        }, keepAliveMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  return {
    get connected() {
      return connected;
    },
    onConnectionChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch(id, watcher) {
      return client.subscribe<ActionUpdatedSubscription>(
        { query: ACTION_UPDATED, variables: { id } },
        {
          next: (result) => {
            if (result.errors?.length) watcher.error(graphQLError(result.errors));
            else if (result.data) watcher.next(result.data.actionUpdated);
          },
          error: (error) => watcher.error(subscriptionError(error)),
          complete: () => watcher.complete(),
        },
      );
    },
    async dispose() {
      clearTimeout(pongTimer);
      listeners.clear();
      // graphql-ws awaits a connection attempt still in flight so as to close it; an
      // attempt that fails rejects, and then there is nothing left to close.
      await Promise.resolve(client.dispose()).catch(() => {});
    },
  };
}

/** Maps what a graphql-ws sink reports (close event, GraphQL errors, socket error) to a CountersignError. */
export function subscriptionError(error: unknown): CountersignError {
  if (Array.isArray(error)) return graphQLError(error as GraphQLFormattedError[]);
  if (isCloseEvent(error)) {
    if (AUTH_CLOSE_CODES.has(error.code)) {
      return new CountersignError(`The server refused the WebSocket connection (${error.code}): check the API key`, { code: 'UNAUTHENTICATED', cause: error });
    }
    // 4500: the server failed while accepting the connection (its database restarting, say).
    const code: ErrorCode = error.code === 4500 ? 'UNAVAILABLE' : error.code >= 4400 && error.code < 4500 ? 'UNKNOWN' : 'NETWORK_ERROR';
    return new CountersignError(`WebSocket closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`, { code, cause: error });
  }
  const message = error instanceof Error ? error.message : (error as { message?: string })?.message ?? 'WebSocket error';
  return new CountersignError(`WebSocket error: ${message}`, { code: 'NETWORK_ERROR', cause: error });
}

function graphQLError(errors: readonly GraphQLFormattedError[]): CountersignError {
  return fromGraphQLError(errors[0]!, { cause: errors });
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number' && 'reason' in value;
}
