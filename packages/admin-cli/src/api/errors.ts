import { ClientError } from 'graphql-request';
import { CliError, ExitCode, SERVER_ERROR_EXIT_CODES } from '../errors.js';

/** What a GraphQL error carries that the CLI uses. */
interface ServerError {
  readonly message: string;
  readonly extensions?: { readonly code?: unknown; readonly field?: unknown } & Record<string, unknown>;
}

/** Words after the server's message telling the user what to do about the class of error. */
const HINTS: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: 'log in with `countersign login --url <url> --token <token>` or set COUNTERSIGN_TOKEN',
  RATE_LIMITED: 'wait a moment and retry',
};

const HTTP_EXIT_CODES: Readonly<Record<number, ExitCode>> = {
  400: ExitCode.INVALID,
  401: ExitCode.UNAUTHENTICATED,
  403: ExitCode.FORBIDDEN,
  409: ExitCode.CONFLICT,
  429: ExitCode.RATE_LIMITED,
  502: ExitCode.UNAVAILABLE,
  503: ExitCode.UNAVAILABLE,
  504: ExitCode.UNAVAILABLE,
};

/**
 * Maps the server's first error to one line and an exit code by its `extensions.code`.
 * More errors are counted, not listed: the first is what the user must fix first.
 */
export function fromServerErrors(errors: readonly ServerError[], url: string): CliError {
  const [first] = errors;
  if (!first) return new CliError(`${url} answered with an error and no detail.`);
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const field = typeof first.extensions?.field === 'string' ? ` [${first.extensions.field}]` : '';
  const message = `${oneLine(first.message)}${field}${more}`;
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED') {
    return new CliError(`The server at ${url} does not understand this request (is it an older version than this CLI?): ${message}`);
  }
  const exitCode = code ? SERVER_ERROR_EXIT_CODES[code] : undefined;
  if (exitCode === undefined) return new CliError(`Server error: ${message}`);
  const hint = code ? HINTS[code] : undefined;
  return new CliError(hint ? `${message} (${hint})` : message, exitCode, { extensions: first.extensions ?? {} });
}

/**
 * Turns anything a request can throw into a {@link CliError}: GraphQL errors by code,
 * HTTP failures by status, and network failures as UNAVAILABLE naming the URL, so the
 * user sees "cannot reach http://…: connection refused" rather than "fetch failed".
 */
export function toCliError(error: unknown, url: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ClientError) {
    const errors = error.response.errors ?? [];
    if (errors.length > 0) return fromServerErrors(errors, url);
    const status = error.response.status;
    // A 404 with no GraphQL error is a URL with no Countersign behind it, not a missing request.
    if (status === 404) {
      return new CliError(`${url} answered HTTP 404: there is no Countersign GraphQL endpoint at that path (use the server's base URL, e.g. http://127.0.0.1:4000).`, ExitCode.UNAVAILABLE, { cause: error });
    }
    return new CliError(`${url} answered HTTP ${status}.`, HTTP_EXIT_CODES[status] ?? ExitCode.ERROR, { cause: error });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new CliError(`${url} did not answer in time.`, ExitCode.UNAVAILABLE, { cause: error });
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    return new CliError(`Cannot reach ${url}: ${networkReason(error.cause, url)}.`, ExitCode.UNAVAILABLE, { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new CliError(`${url} did not answer with GraphQL JSON (is this the GraphQL endpoint?).`, ExitCode.UNAVAILABLE, { cause: error });
  }
  throw error;
}

function networkReason(cause: unknown, url: string): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  // OpenSSL's text ("ssl3_get_record:wrong version number") says, in its words, that the
  // server answered in plain HTTP.
  if (url.startsWith('https:') && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(String((cause as Error | undefined)?.message)))) {
    return `the server does not speak HTTPS there (plain HTTP?): try ${url.replace(/^https:/, 'http:')}`;
  }
  if (url.startsWith('https:') && typeof code === 'string' && /^ERR_SSL|^ERR_TLS|CERT|^UNABLE_TO|^DEPTH_ZERO|^SELF_SIGNED/.test(code)) {
    return `the TLS connection failed (${code})`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
      return 'no such host';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    default:
      return cause instanceof Error ? cause.message : 'network error';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
