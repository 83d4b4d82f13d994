#!/usr/bin/env node
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createApp } from './app.js';
import { startBanner } from './banner.js';
import { MissingDatabaseError } from './db/orm.js';

/** Start-up only: configuration, the app, and signals. */
const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`countersign: invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(2);
}
const logger = createLogger(result.config.logLevel);
try {
  const app = await createApp(result.config, { logger });
  if (process.stdout.isTTY) process.stdout.write(startBanner(result.config, app.url));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    app.dispose().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  // The two mistakes a first start meets get a sentence, not a stack.
  const known =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `port ${result.config.port} is in use; set PORT to another port (e.g. PORT=${result.config.port + 1} pnpm start), or stop what is using it.`
      : error instanceof MissingDatabaseError
        ? error.message
        : null;
  if (known === null) {
    logger.fatal({ err: error }, 'Countersign failed to start');
  } else {
    logger.fatal(known);
    process.stderr.write(`countersign: ${known}\n`);
  }
  process.exit(1);
}
