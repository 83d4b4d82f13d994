import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ALL_OPERATIONS } from './operations.js';

/** The server's printed schema, checked in by the server package and kept current by its own test. */
const SCHEMA_PATH = fileURLToPath(new URL('../../../server/schema.graphql', import.meta.url));
const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));

const ROOT_TYPES = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() } as const;

/** Root fields an operation uses that the schema does not have. */
function missingRootFields(operation: OperationDefinitionNode): string[] {
  const root = ROOT_TYPES[operation.operation];
  const typeName = operation.operation[0]!.toUpperCase() + operation.operation.slice(1);
  return operation.selectionSet.selections
    .filter((s) => s.kind === Kind.FIELD)
    .map((s) => s.name.value)
    .filter((name) => !root?.getFields()[name])
    .map((name) => `${typeName}.${name}`);
}

describe('every operation the CLI sends', () => {
  it('should have a unique name', () => {
    const names = ALL_OPERATIONS.map((op) => op.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const op of ALL_OPERATIONS) {
    const document = parse(op.source);
    const definition = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    it(`${op.name} should be valid against the server schema`, () => {
      // Named first, so a root field the server lacks reads as such rather than as a validation error.
      expect(missingRootFields(definition), 'root fields the server schema does not define').toEqual([]);
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    });
  }
});
