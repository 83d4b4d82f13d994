/**
 * Writes the schema's SDL to packages/server/schema.graphql: the contract the SDK's types
 * and the CLI's operations are generated from and checked against.
 * Usage: pnpm --filter @countersign/server schema
 */
import fs from 'node:fs/promises';
import { printSchema } from 'graphql';
import { createSchema } from '../src/graphql/schema.js';

const file = new URL('../schema.graphql', import.meta.url);
const sdl = printSchema(await createSchema()) + '\n';
await fs.writeFile(file, sdl);
console.log(`wrote ${file.pathname}`);
