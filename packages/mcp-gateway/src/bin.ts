#!/usr/bin/env node
import { runCli, UsageError } from './cli.js';

const io = { env: process.env, stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text) };

try {
  const stop = await runCli(process.argv.slice(2), io);
  if (stop) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        stop().finally(() => process.exit(0));
      });
    }
  }
} catch (error) {
  process.stderr.write(`countersign-mcp: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? String(error))}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
