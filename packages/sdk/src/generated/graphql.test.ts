import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('the generated operation types', () => {
  it('match packages/server/schema.graphql and graphql/operations.graphql (run `pnpm --filter @countersign/sdk codegen` after changing either)', async () => {
    const outputs = await generate(config, false);
    expect(outputs).toHaveLength(1);
    const [{ filename, content }] = outputs;
    expect(await readFile(filename, 'utf8')).toBe(content);
  });
});
