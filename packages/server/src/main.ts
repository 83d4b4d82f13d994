#!/usr/bin/env node
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createApp } from './app.js';

/** Start-up only: configuration, the app, and signals. */
const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`countersign: invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(2);
}
const logger = createLogger(result.config.logLevel);
try {
  const app = await createApp(result.config, { logger });
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
  logger.fatal({ err: error }, 'Countersign failed to start');
  process.exit(1);
}
