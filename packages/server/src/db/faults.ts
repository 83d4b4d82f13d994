import { ConnectionException } from '@mikro-orm/core';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from '../errors.js';

/** What clients are told to wait before trying again when the database is unavailable (HTTP `Retry-After`). */
export const RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: the database cannot be reached, or the connection to it broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "the database cannot serve this now", not "this request is wrong":
 * class 08 (connection exception), 53 (insufficient resources), 57P01–57P03 (shutdown,
 * crash, starting up), 57014 (cancelled: the statement timeout), 55P03 (lock timeout).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code === '57P01' || code === '57P02' || code === '57P03' || code === '57014' || code === '55P03';
}

/** What pg, knex and tarn say when a connection fails, is cut, or does not answer in time. */
const UNAVAILABLE_MESSAGES = /Connection terminated|Query read timeout|timeout expired|not queryable|Connection ended unexpectedly|Timeout acquiring a connection|connection broken during a transaction|Unable to acquire a connection/i;

/**
 * Whether `error` (or what it wraps) says the database is down, unreachable, or too slow —
 * something that passes, as opposed to a bug or a bad request. The one place that knows
 * how pg, knex, tarn and MikroORM spell that.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof ConnectionException) return true;
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // PostgreSQL said what went wrong: its code decides (the message may quote the statement's values).
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return isUnavailableSqlState(code);
    if (name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    const next = current as { cause?: unknown; previous?: unknown; originalError?: unknown; errors?: unknown };
    current = next.originalError ?? next.cause ?? next.previous ?? (Array.isArray(next.errors) ? next.errors[0] : undefined);
  }
  return false;
}

/** The public error for a request that met an unavailable database. */
export function databaseUnavailable(): AppError {
  return new AppError(ErrorCode.UNAVAILABLE, 'The database is unavailable; try again shortly.', { retryAfter: RETRY_AFTER_SECONDS });
}

/** `error` as the public UNAVAILABLE error when the database is the cause; otherwise null. */
export function unavailableError(error: unknown): AppError | null {
  return isDatabaseUnavailable(error) ? databaseUnavailable() : null;
}

/** The formatted form of {@link databaseUnavailable}, keeping where the error happened. */
export function formatUnavailable(formatted: Pick<GraphQLFormattedError, 'path' | 'locations'>): GraphQLFormattedError {
  const error = databaseUnavailable();
  return { message: error.message, path: formatted.path, locations: formatted.locations, extensions: { ...error.extensions } };
}

/**
 * Answers an operation that failed with UNAVAILABLE with HTTP 503 and `Retry-After`, as
 * DESIGN §11 asks, so that load balancers and HTTP clients back off without reading the body.
 */
export function unavailableStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (!errors.some((error) => error.extensions?.code === ErrorCode.UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}
