#!/usr/bin/env node
// The `countersign-server` command. A small shim that exists before the build, so
// `pnpm install` can link the bin in a fresh clone; the server is the compiled dist/main.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('countersign-server is not built yet: run `pnpm run build` in the repository first.\n');
  process.exit(1);
}
await import(entry.href);
