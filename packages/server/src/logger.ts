import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Structured JSON logs. Anything that may carry a secret is redacted by path, so a token
 * can never reach a log line even when a whole request or config object is logged.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'countersign' },
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
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
