import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from '../errors.js';
import { formatUnavailable, isDatabaseUnavailable } from '../db/faults.js';
import type { Logger } from '../logger.js';

/**
 * Errors as a WebSocket subscriber may see them, like HTTP's formatError in app.ts:
 * contract errors and GraphQL's own keep their message; a database that is down or hangs is
 * UNAVAILABLE; anything else is logged and sent as a bare INTERNAL_SERVER_ERROR, so that a
 * driver's message (which may carry SQL and values) never reaches a client.
 */
export function publicErrors(errors: readonly GraphQLError[], logger: Logger): GraphQLFormattedError[] {
  return errors.map((error) => {
    const original = error.originalError;
    if (!original || original instanceof AppError || (original as { extensions?: { code?: unknown } }).extensions?.code) return error.toJSON();
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: original, path: error.path }, 'the database is unavailable');
      return formatUnavailable(error);
    }
    logger.error({ err: original, path: error.path }, 'unexpected error in a subscription');
    return { message: 'Internal server error.', path: error.path, locations: error.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  });
}

/** A subscription result with {@link publicErrors}, or undefined when it has no errors (sent as it is). */
export function publicResult(result: ExecutionResult, logger: Logger): ExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  return { ...result, errors: publicErrors(result.errors, logger) } as unknown as ExecutionResult;
}
