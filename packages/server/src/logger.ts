import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Fields of an error that name what failed without carrying the values involved. */
const SAFE_FIELDS = ['code', 'sqlState', 'severity', 'routine', 'constraint', 'table', 'column', 'schema', 'dataType', 'errno', 'syscall', 'status', 'statusCode', 'path'] as const;

/** How knex (and so MikroORM) prefix a driver's message: the statement, with its values inlined, then this. */
const SQL_SEPARATOR = ' - ';

/** Longest driver message kept (PostgreSQL's own messages are short). */
const MAX_DRIVER_MESSAGE = 500;

/**
 * Whether `error` comes from the database layer: pg's DatabaseError (a SQLSTATE and a
 * severity), knex's query errors (`sql`), MikroORM's DriverException (`sqlState`).
 */
function isDriverError(error: Record<string, unknown>): boolean {
  return 'sql' in error || 'sqlState' in error || 'severity' in error || 'where' in error || (typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code));
}

/**
 * A driver's message without what carries values: the `detail` and `hint` MikroORM appends
 * (known exactly, they are the error's own fields), the statement knex puts in front (the
 * driver's own text comes after its last " - "), and a quoted input value at its end.
 */
function driverMessage(message: string, error: Record<string, unknown>): string {
  let text = message;
  for (const field of ['hint', 'detail'] as const) {
    const suffix = typeof error[field] === 'string' ? `\n - ${field}: ${error[field] as string}` : null;
    if (suffix && text.endsWith(suffix)) text = text.slice(0, -suffix.length);
  }
  // Plain string searches, no backtracking regular expression: the text may be megabytes long.
  const separator = text.lastIndexOf(SQL_SEPARATOR);
  let own = separator >= 0 ? text.slice(separator + SQL_SEPARATOR.length) : text;
  // Only MikroORM's suffixes start so: one not matched above is withheld, not guessed at.
  if (own.startsWith('detail: ') || own.startsWith('hint: ')) return '[message withheld]';
  const quoted = own.indexOf(': "');
  if (quoted >= 0 && own.trimEnd().endsWith('"')) own = own.slice(0, quoted) + ': [value]';
  return own.length > MAX_DRIVER_MESSAGE ? own.slice(0, MAX_DRIVER_MESSAGE) + '…' : own;
}

/**
 * The `err` of a log line. Errors of the database layer carry the failing statement with
 * its values (`sql`, `params`, a message prefixed with the SQL) and PostgreSQL's `detail`,
 * `where`, `internalQuery`: a request's payload would land in the log. Only the message,
 * the code and fields that name what failed are kept, for every error; `cause` likewise.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return error;
  const source = error as unknown as Record<string, unknown>;
  const type = (error as Error).constructor?.name ?? 'Error';
  const cause = source.cause ?? source.previous ?? source.originalError;
  // A wrapper (a GraphQLError) repeats its driver error's message.
  const driver = isDriverError(source) || (typeof cause === 'object' && cause !== null && isDriverError(cause as Record<string, unknown>));
  const rawMessage = typeof source.message === 'string' ? source.message : String(error);
  const message = driver ? driverMessage(rawMessage, typeof cause === 'object' && cause !== null && !isDriverError(source) ? (cause as Record<string, unknown>) : source) : rawMessage;
  const out: Record<string, unknown> = { type, message };
  for (const field of SAFE_FIELDS) if (source[field] !== undefined && source[field] !== null) out[field] = source[field];
  const code = (source.extensions as { code?: unknown } | undefined)?.code;
  if (code !== undefined) out.extensionsCode = code;
  if (typeof source.stack === 'string') {
    // The stack's first line repeats the message; the frames name only code.
    const frames = source.stack.split('\n').filter((line) => line.trim().startsWith('at '));
    out.stack = [`${type}: ${message}`, ...frames].join('\n');
  }
  if (cause !== undefined && cause !== error && depth < 3) out.cause = serializeError(cause, depth + 1);
  return out;
}

/**
 * Structured JSON logs. Anything that may carry a secret is redacted by path, so a token
 * can never reach a log line even when a whole request or config object is logged.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'countersign' },
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: [
          'token',
          'apiKey',
          'bootstrapToken',
          'authorization',
          '*.token',
          '*.apiKey',
          '*.bootstrapToken',
          '*.authorization',
          'req.headers.authorization',
          'config.bootstrapToken',
          'config.databaseUrl',
          'databaseUrl',
          'secret',
          '*.secret',
          'secretKey',
          '*.secretKey',
          'clientSecret',
          '*.clientSecret',
          'config.oidc.clientSecret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
