#!/usr/bin/env node
// The `countersign` command. A small shim that exists before the build, so `pnpm install`
// can link the bin in a fresh clone; the CLI itself is the compiled dist/bin.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: countersign is not built yet: run `pnpm run build` in the repository first.\n');
  process.exit(1);
}
await import(entry.href);
