import { GraphQLError } from 'graphql';

/**
 * The public error codes (DESIGN §4). Integrators branch on `extensions.code`, so these
 * names are the contract; every resolver reports failures through {@link AppError}.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** A failure the caller can act on. `extensions` carries the code and optional details. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
  }

  static unauthenticated(message = 'A valid bearer token is required.'): AppError {
    return new AppError(ErrorCode.UNAUTHENTICATED, message);
  }

  static forbidden(message: string): AppError {
    return new AppError(ErrorCode.FORBIDDEN, message);
  }

  /** `field` names the input field at fault, so clients can point at it. */
  static badInput(message: string, field?: string): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }

  static notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} ${id} was not found.`, { id });
  }

  static conflict(message: string, details: Record<string, unknown> = {}): AppError {
    return new AppError(ErrorCode.CONFLICT, message, details);
  }

  static unavailable(message: string): AppError {
    return new AppError(ErrorCode.UNAVAILABLE, message);
  }
}
