import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { gqlPluckFromCodeStringSync } from '@graphql-tools/graphql-tag-pluck';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import config from '../../../codegen.js';
import { ALL_OPERATIONS } from '../operations.js';

const OPERATIONS_PATH = fileURLToPath(new URL('../operations.ts', import.meta.url));

/** The documents as the generator reads them: each marked template, its `${...}` parts dropped. */
async function typedDefinitions(): Promise<readonly DefinitionNode[]> {
  const sources = gqlPluckFromCodeStringSync(OPERATIONS_PATH, await readFile(OPERATIONS_PATH, 'utf8'));
  return sources.flatMap((source) => parse(source).definitions);
}

/** An operation and every fragment it spreads, directly or through other fragments, printed and sorted. */
function withFragments(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): string[] {
  const seen = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          seen.set(name, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [operation, ...seen.values()].map((definition) => print(definition)).sort();
}

describe('the generated operation types', () => {
  it('match packages/server/schema.graphql and src/api/operations.ts (run `pnpm --filter @countersign/admin-cli codegen` after changing either)', async () => {
    const outputs = await generate(config, false);
    expect(outputs).toHaveLength(1);
    const [{ filename, content }] = outputs;
    expect(await readFile(filename, 'utf8')).toBe(content);
  });

  it('are typed from the very documents the CLI sends (interpolate only marked fragments into a document)', async () => {
    const definitions = await typedDefinitions();
    const fragments = new Map(
      definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const operations = new Map(
      definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((d) => [d.name!.value, d]),
    );
    expect([...operations.keys()].sort(), 'operations in operations.ts but not in ALL_OPERATIONS').toEqual(ALL_OPERATIONS.map((op) => op.name).sort());
    for (const op of ALL_OPERATIONS) {
      const sent = parse(op.source).definitions.map((definition) => print(definition)).sort();
      expect(withFragments(operations.get(op.name)!, fragments), op.name).toEqual(sent);
    }
  });
});
