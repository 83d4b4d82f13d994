/**
 * Exit codes of `countersign`. Scripts and CI jobs branch on them, so they are part of
 * the CLI's contract: each server error class (DESIGN §4) has its own, and they are
 * listed in `countersign --help`.
 */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  INVALID: 3,
  UNAUTHENTICATED: 4,
  FORBIDDEN: 5,
  NOT_FOUND: 6,
  CONFLICT: 7,
  RATE_LIMITED: 8,
  UNAVAILABLE: 9,
  INTEGRITY: 10,
  DIFFERENCES: 11,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, in the order `--help` lists them. */
export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.OK, 'success'],
  [ExitCode.ERROR, 'unexpected failure, or a confirmation declined'],
  [ExitCode.USAGE, 'bad command line (unknown option, missing argument, bad value)'],
  [ExitCode.INVALID, 'invalid input: a governance document or value was rejected (BAD_USER_INPUT)'],
  [ExitCode.UNAUTHENTICATED, 'no token, or the token was rejected (UNAUTHENTICATED)'],
  [ExitCode.FORBIDDEN, 'the token may not do this (FORBIDDEN)'],
  [ExitCode.NOT_FOUND, 'no such request, agent, approver or delegation (NOT_FOUND)'],
  [ExitCode.CONFLICT, 'the state changed first, e.g. the request was already decided (CONFLICT)'],
  [ExitCode.RATE_LIMITED, 'too many requests; retry later (RATE_LIMITED)'],
  [ExitCode.UNAVAILABLE, 'the server is unreachable or unavailable (UNAVAILABLE)'],
  [ExitCode.INTEGRITY, '`audit verify` found the audit chain broken'],
  [ExitCode.DIFFERENCES, '`diff --exit-code` found changes to apply'],
];

/** The error codes of the GraphQL contract (DESIGN §4) and the exit code each maps to. */
export const SERVER_ERROR_EXIT_CODES: Readonly<Record<string, ExitCode>> = {
  UNAUTHENTICATED: ExitCode.UNAUTHENTICATED,
  FORBIDDEN: ExitCode.FORBIDDEN,
  BAD_USER_INPUT: ExitCode.INVALID,
  NOT_FOUND: ExitCode.NOT_FOUND,
  CONFLICT: ExitCode.CONFLICT,
  RATE_LIMITED: ExitCode.RATE_LIMITED,
  UNAVAILABLE: ExitCode.UNAVAILABLE,
};

/**
 * "Exit with this code": the one error class that the top level catches. Its message is
 * the single line the user sees (never a stack trace), so write it as a sentence that says
 * what went wrong and, where it helps, what to do next.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** The server's `extensions` of the error this came from (its code, and what it names), or empty. */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.ERROR,
    options?: { cause?: unknown; extensions?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options);
    this.extensions = options?.extensions ?? {};
  }

  /** The command line itself is wrong: an option's value, a missing argument. */
  static usage(message: string): CliError {
    return new CliError(message, ExitCode.USAGE);
  }

  /** Input the user supplied (a file, a payload) is not valid. */
  static invalid(message: string, cause?: unknown): CliError {
    return new CliError(message, ExitCode.INVALID, { cause });
  }
}
