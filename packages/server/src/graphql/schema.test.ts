import { describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import { printSchema } from 'graphql';
import { createSchema } from './schema.js';

describe('the checked-in schema', () => {
  it('matches the schema the server builds (run `pnpm --filter @countersign/server schema` after changing the API)', async () => {
    const checkedIn = await fs.readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(printSchema(await createSchema()) + '\n');
  });
});
