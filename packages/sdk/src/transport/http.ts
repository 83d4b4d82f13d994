import { ClientError, GraphQLClient, type RequestOptions } from 'graphql-request';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CountersignError, fromGraphQLError, type ErrorCode } from '../errors.js';
import { backoffDelay, type ResolvedRetryPolicy } from '../retry.js';
import { linkSignals, sleep } from '../timers.js';
import type { Logger } from '../types.js';

export interface HttpTransportOptions {
  url: URL;
  apiKey: string;
  fetch: typeof globalThis.fetch;
  retry: ResolvedRetryPolicy;
  requestTimeoutMs: number;
  logger: Logger;
}

export interface HttpRequestOptions<T> {
  signal?: AbortSignal;
  /** Overrides the policy's attempts (a poll that will run again anyway makes one). */
  attempts?: number;
  /**
   * Called when a retry (not the first attempt) fails: the first attempt may have taken
   * effect before its response was lost, so a CONFLICT now can mean "already done". Return
   * the result to resolve with, or undefined to fail as usual.
   */
  recover?: (error: CountersignError) => Promise<T | undefined>;
}

export interface HttpTransport {
  request<T, V extends object>(document: TypedDocumentNode<T, V>, variables: V, options?: HttpRequestOptions<T>): Promise<T>;
}

/**
 * GraphQL over HTTP with the client's retry policy: each attempt has its own timeout, and
 * failures that may pass (network, UNAVAILABLE, RATE_LIMITED) are retried with backoff.
 * Every mutation the SDK sends is safe to repeat: submissions carry an idempotency key,
 * and cancel/outcome retries recover from "already done" through `recover`.
 */
export function createHttpTransport({ url, apiKey, fetch, retry, requestTimeoutMs, logger }: HttpTransportOptions): HttpTransport {
  const client = new GraphQLClient(url.href, {
    fetch,
    headers: { authorization: `Bearer ${apiKey}` },
  });

  async function attempt<T, V extends object>(document: TypedDocumentNode<T, V>, variables: V, signal: AbortSignal | undefined): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), requestTimeoutMs);
    const linked = linkSignals([signal, timeout.signal]);
    try {
      // The document's own type already checked `variables`; graphql-request's conditional
      // types cannot see through a generic V, so hand it the erased form.
      const request: RequestOptions<object, T> = { document: document as TypedDocumentNode<T, object>, variables, signal: linked.signal };
      return await client.request<T, object>(request);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.signal.aborted) {
        throw new CountersignError(`No response from ${url.href} within ${requestTimeoutMs} ms`, { code: 'NETWORK_ERROR', cause: error });
      }
      throw toCountersignError(error, url);
    } finally {
      clearTimeout(timer);
      linked.release();
    }
  }

  return {
    async request(document, variables, { signal, attempts = retry.attempts, recover } = {}) {
      const operation = operationName(document);
      for (let n = 1; ; n++) {
        signal?.throwIfAborted();
        try {
          return await attempt(document, variables, signal);
        } catch (error) {
          if (!(error instanceof CountersignError)) throw error; // the caller's abort reason
          if (n > 1 && recover) {
            const recovered = await recover(error);
            if (recovered !== undefined) return recovered;
          }
          if (!error.retryable || n >= attempts) throw error;
          const delay = backoffDelay(retry, n);
          logger.warn(`Countersign ${operation} failed (${error.code}: ${error.message}); retry ${n} of ${attempts - 1} in ${delay} ms`, { operation, code: error.code });
          await sleep(delay, signal);
        }
      }
    },
  };
}

/** Maps whatever a request threw to a {@link CountersignError}. */
export function toCountersignError(error: unknown, url: URL): CountersignError {
  if (error instanceof CountersignError) return error;
  if (error instanceof ClientError) {
    const { status, errors } = error.response;
    const first = errors?.[0] as { message: string; extensions?: Record<string, unknown> } | undefined;
    if (first) return fromGraphQLError(first, { httpStatus: status, cause: error });
    return new CountersignError(`HTTP ${status} from ${url.href} without a GraphQL response`, { code: codeForHttpStatus(status), httpStatus: status, cause: error });
  }
  // fetch rejects (refused, reset, DNS) and unreadable bodies: nothing usable came back.
  const message = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
  return new CountersignError(`Could not reach Countersign at ${url.href}: ${message}`, { code: 'NETWORK_ERROR', cause: error });
}

function codeForHttpStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'UNKNOWN';
}

function operationName(document: TypedDocumentNode<unknown, never>): string {
  for (const definition of document.definitions) {
    if (definition.kind === 'OperationDefinition' && definition.name) return definition.name.value;
  }
  return 'request';
}
