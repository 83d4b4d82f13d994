import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe("the web app's generated operation types", () => {
  it('match packages/server/schema.graphql and the operations in src (run `pnpm --filter @countersign/web codegen` after changing either)', async () => {
    const outputs = await generate(config, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      expect(await readFile(filename, 'utf8'), filename).toBe(content);
    }
  });
});
