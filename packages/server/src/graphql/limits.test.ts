import { describe, expect, it, beforeAll } from 'vitest';
import { parse, type GraphQLError, type GraphQLSchema } from 'graphql';
import { createSchema } from './schema.js';
import { QueryLimits, bracketNesting, fieldMultiplicity, inputViolation, literalViolation, readsSchema } from './limits.js';

const LIMITS = { maxTokens: 5000, maxDepth: 12, maxAliases: 30, maxCost: 25_000, maxFieldRepeats: 4, maxInputDepth: 64 };

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('inputViolation', () => {
  it('accepts ordinary JSON and JSON exactly at the depth limit', () => {
    expect(inputViolation({ a: [1, 'two', { b: null }] }, 64)).toBeNull();
    expect(inputViolation(nested(64), 64)).toBeNull();
  });

  it('refuses JSON one level past the limit, and 100,000 levels without overflowing the stack', () => {
    expect(inputViolation(nested(65), 64)).toMatch(/deeper than 64/);
    expect(inputViolation(nested(100_000), 64)).toMatch(/deeper than 64/);
  });

  it('refuses a NUL in a nested string value and in a key', () => {
    expect(inputViolation({ a: [{ b: 'x\u0000y' }] }, 64)).toMatch(/NUL/);
    expect(inputViolation({ a: { 'k\u0000': 1 } }, 64)).toMatch(/NUL/);
    expect(inputViolation('\u0000', 64)).toMatch(/NUL/);
  });
});

describe('document checks', () => {
  it('bracketNesting finds the deepest nesting by lexing alone', () => {
    expect(bracketNesting('{ a { b(x: [{ c: 1 }]) } }', 100)).toBe(5);
    expect(bracketNesting('{'.repeat(20_000), 100_000)).toBe(20_000);
  });

  it('literalViolation refuses NUL in an inline string and literals nested too deep', () => {
    expect(literalViolation(parse('{ a(x: "ok") }'), 64)).toBeNull();
    expect(literalViolation(parse('{ a(x: "a\\u0000b") }'), 64)).toMatch(/NUL/);
    expect(literalViolation(parse(`{ a(x: ${'['.repeat(65)}${']'.repeat(65)}) }`), 64)).toMatch(/deeper than 64/);
    expect(literalViolation(parse(`{ a(x: ${'['.repeat(64)}${']'.repeat(64)}) }`), 64)).toBeNull();
  });

  it('fieldMultiplicity counts a response name across inline and named fragments, times the repeats around it', () => {
    expect(fieldMultiplicity(parse('{ me { kind } me { kind } ... on Query { me { kind } } ...F ...F } fragment F on Query { me { kind } }'))).toBe(4);
    expect(fieldMultiplicity(parse('{ a: me { kind } b: me { kind } }'))).toBe(1);
    expect(fieldMultiplicity(parse('{ me { kind } me { kind name kind } }'))).toBe(4);
    expect(fieldMultiplicity(parse('{ a { b { c } } a { b { c } } }'))).toBe(2);
  });

  it('fieldMultiplicity gives up on fragments that expand past the bound', () => {
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i} on T { x { ...F${i + 1} } y { ...F${i + 1} } }`).join(' ');
    expect(fieldMultiplicity(parse(`{ ...F0 } ${fragments} fragment F20 on T { z }`))).toBe(Infinity);
  });

  it('readsSchema tells introspection from __typename', () => {
    expect(readsSchema(parse('{ __schema { types { name } } }'))).toBe(true);
    expect(readsSchema(parse('{ __type(name: "Query") { name } }'))).toBe(true);
    expect(readsSchema(parse('{ __typename }'))).toBe(false);
  });
});

describe('QueryLimits', () => {
  let schema: GraphQLSchema;
  let limits: QueryLimits;
  beforeAll(async () => {
    schema = await createSchema();
    limits = new QueryLimits(schema, LIMITS);
  });
  const refusal = (query: string, variables: Record<string, unknown> = {}, anonymous = false) => {
    const result = limits.check({ query, variables }, { anonymous });
    if ('kind' in result) return null;
    return result[0] as GraphQLError;
  };

  it('passes an ordinary query and hands out one document object per text', () => {
    const query = 'query($id: ID!) { action(id: $id) { id agent { name recentActions { id } } } }';
    const first = limits.check({ query, variables: { id: 'x' } }, { anonymous: false });
    expect('kind' in first).toBe(true);
    expect(limits.check({ query, variables: { id: 'y' } }, { anonymous: false })).toBe(first);
  });

  it('refuses each limit with BAD_USER_INPUT naming the limit and its value', () => {
    const deep = `{ action(id: "x") { ${'agent { recentActions { '.repeat(8)} id ${'} } '.repeat(8)} } }`;
    expect(refusal(deep)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_DEPTH', max: 12 });
    expect(refusal(deep)?.message).toMatch(/depth limit of 12/);
    expect(refusal(`{ ${'me { kind } '.repeat(4000)} }`)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_TOKENS', max: 5000 });
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: me { kind }`).join(' ');
    expect(refusal(`{ ${aliases} }`)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_ALIASES', max: 30 });
    expect(refusal(`{ ${'me { kind } '.repeat(5)} }`)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_FIELD_REPEATS', max: 4 });
  });

  it('prices lists by `first`, from the document or from its variables', () => {
    const page = 'query($n: Int) { actions(first: $n) { nodes { id summary status agent { name } } } }';
    expect(refusal(page, { n: 100 })).toBeNull();
    expect(refusal(page, { n: 500 })).toBeNull();
    const nestedLists = 'query($n: Int!) { actions(first: 500) { nodes { agent { recentActions(first: $n) { id summary } } } } }';
    expect(refusal(nestedLists, { n: 5 })).toBeNull();
    expect(refusal(nestedLists, { n: 50 })?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_COST', max: 25_000 });
  });

  it('refuses anonymous introspection only', () => {
    expect(refusal('{ __schema { queryType { name } } }', {}, true)?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refusal('{ __schema { queryType { name } } }', {}, false)).toBeNull();
    expect(refusal('{ __typename }', {}, true)).toBeNull();
  });

  it('refuses NUL and deep nesting in variables and literals', () => {
    expect(refusal('query($x: JSON) { __typename }', { x: { a: 'b\u0000' } })?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refusal('query($x: JSON) { __typename }', { x: nested(4000) })?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refusal('query($x: JSON = "a\\u0000") { __typename }')?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refusal(`query($x: JSON = ${'{a:'.repeat(1600)}1${'}'.repeat(1600)}) { __typename }`)?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
