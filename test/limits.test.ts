import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent } from './support/server.js';
import { errorCode, gql, gqlOk, wsClient, wsOnce, type GraphQLResult } from './support/graphql.js';
import { INPUTS, SUBMIT, apply, governanceYaml, submit } from './support/fixtures.js';

/** `{ a: { a: … 'leaf' } }`, `depth` objects deep. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A raw POST of `body` (already JSON), for bodies `gql` cannot make. */
async function post(url: string, body: string, token?: string): Promise<GraphQLResult> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  return { ...((await response.json()) as GraphQLResult), status: response.status };
}

/** The errors graphql-ws reported for a refused operation (wsOnce rejects with them as JSON). */
async function wsErrors(operation: Promise<GraphQLResult>): Promise<NonNullable<GraphQLResult['errors']>> {
  const outcome = await operation.then(
    (result) => new Error(`expected a refusal, got ${JSON.stringify(result)}`),
    (error: Error) => error,
  );
  return JSON.parse(outcome.message) as NonNullable<GraphQLResult['errors']>;
}

describe('query and input limits (DESIGN §11)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };
  let actionId: string;
  const healthy = async () => (await fetch(new URL('/healthz', stack.url))).status;
  const storedActions = async () => (await gqlOk(stack.url, '{ actions(first: 1) { totalCount } }', {}, stack.adminToken)).actions.totalCount as number;

  beforeAll(async () => {
    stack = await startStack();
    await apply(stack, governanceYaml());
    agent = await createAgent(stack, 'limits-agent');
    actionId = (await submit(stack, agent.apiKey, INPUTS.auto)).id;
  });
  afterAll(() => stack?.dispose());

  it('refuses the 8-level deep action → agent → recentActions query sent with an agent\'s own key', async () => {
    const deep = `query($id: ID!) { action(id: $id) { ${'agent { recentActions { '.repeat(8)} id ${'} } '.repeat(8)} } }`;
    const result = await gql(stack.url, deep, { id: actionId }, agent.apiKey);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/depth limit of 12/);
    expect(result.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_DEPTH', max: 12 });
    expect(result.data ?? null).toBeNull();
    expect(await healthy()).toBe(200);
  });

  it('refuses a shallow query whose nested lists cost more than the budget', async () => {
    const wide = `query($id: ID!) { action(id: $id) { agent { recentActions(first: 50) { agent { recentActions(first: 50) { agent { recentActions(first: 50) { id summary } } } } } } } }`;
    const result = await gql(stack.url, wide, { id: actionId }, agent.apiKey);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_COST', max: 25_000 });
    expect(await healthy()).toBe(200);
  });

  it('refuses the anonymous query repeating `me { kind }` 4,000 times, before authenticating anyone', async () => {
    const flood = `{ ${'me { kind } '.repeat(4000)} }`;
    const anonymous = await gql(stack.url, flood);
    expect(errorCode(anonymous)).toBe('BAD_USER_INPUT');
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_TOKENS', max: 5000 });
    // A token that matches nobody would be UNAUTHENTICATED once looked up: the limit answered first.
    const unknownToken = await gql(stack.url, flood, {}, 'cs_agent_not-a-real-key');
    expect(errorCode(unknownToken)).toBe('BAD_USER_INPUT');
    expect(await healthy()).toBe(200);
  });

  it('refuses the same field repeated within the token budget', async () => {
    const result = await gql(stack.url, `{ ${'me { kind } '.repeat(1200)} }`);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_FIELD_REPEATS', max: 4 });
    expect(await healthy()).toBe(200);
  });

  it('refuses 2,000 aliases of myActions(first: 100)', async () => {
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}: myActions(first: 100) { nodes { id } }`).join(' ');
    const result = await gql(stack.url, `{ ${aliases} }`, {}, agent.apiKey);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(await healthy()).toBe(200);
    // Within the token budget the alias rule itself answers.
    const some = Array.from({ length: 31 }, (_, i) => `a${i}: myActions(first: 1) { totalCount }`).join(' ');
    const fewer = await gql(stack.url, `{ ${some} }`, {}, agent.apiKey);
    expect(errorCode(fewer)).toBe('BAD_USER_INPUT');
    expect(fewer.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_ALIASES', max: 30 });
    expect(await healthy()).toBe(200);
  });

  it('refuses a NUL in a variable and in an inline literal, storing nothing', async () => {
    const before = await storedActions();
    const inVariable = await gql(stack.url, SUBMIT, { input: { ...INPUTS.auto, summary: 'Read the\u0000 price list' } }, agent.apiKey);
    expect(errorCode(inVariable)).toBe('BAD_USER_INPUT');
    expect(inVariable.errors?.[0]?.message).toMatch(/NUL/);
    const inKey = await gql(stack.url, SUBMIT, { input: { ...INPUTS.auto, payload: { 'report\u0000': 'prices' } } }, agent.apiKey);
    expect(errorCode(inKey)).toBe('BAD_USER_INPUT');
    const literal = `mutation { submitAction(input: { type: "reports.read", operation: READ, summary: "Read \\u0000 the list", dataClassification: PUBLIC, payload: { report: "prices" } }) { id } }`;
    const inLiteral = await gql(stack.url, literal, {}, agent.apiKey);
    expect(errorCode(inLiteral)).toBe('BAD_USER_INPUT');
    expect(inLiteral.errors?.[0]?.message).toMatch(/NUL/);
    expect(await storedActions()).toBe(before);
    expect(await healthy()).toBe(200);
  });

  it('refuses a payload nested 4,000 deep, in variables, elsewhere in the body and inline', async () => {
    const before = await storedActions();
    const inVariables = await gql(stack.url, SUBMIT, { input: { ...INPUTS.auto, payload: nested(4000) } }, agent.apiKey);
    expect(errorCode(inVariables)).toBe('BAD_USER_INPUT');
    expect(inVariables.errors?.[0]?.extensions).toMatchObject({ limit: 'COUNTERSIGN_MAX_INPUT_DEPTH', max: 64 });
    const inBody = await post(stack.url, `{"query":"{ __typename }","extensions":${'['.repeat(4000)}${']'.repeat(4000)}}`, agent.apiKey);
    expect(errorCode(inBody)).toBe('BAD_USER_INPUT');
    const literal = `mutation { submitAction(input: { type: "reports.read", operation: READ, summary: "deep", dataClassification: PUBLIC, payload: ${'{ a: '.repeat(4000)}1${' }'.repeat(4000)} }) { id } }`;
    const inline = await gql(stack.url, literal, {}, agent.apiKey);
    expect(errorCode(inline)).toBe('BAD_USER_INPUT');
    // At the limit the payload is accepted.
    const atLimit = await gql(stack.url, SUBMIT, { input: { ...INPUTS.auto, payload: nested(60) } }, agent.apiKey);
    expect(atLimit.errors).toBeUndefined();
    expect(await storedActions()).toBe(before + 1);
    expect(await healthy()).toBe(200);
  });

  it('refuses anonymous introspection and serves an authenticated admin\'s', async () => {
    const query = '{ __schema { queryType { name } types { name } } }';
    const anonymous = await gql(stack.url, query);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.status).toBe(401);
    expect(anonymous.data ?? null).toBeNull();
    const viaGet = await fetch(`${stack.url}?query=${encodeURIComponent('{ __type(name: "Query") { name } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(viaGet.status).toBe(401);
    const admin = await gqlOk(stack.url, query, {}, stack.adminToken);
    expect(admin.__schema.queryType.name).toBe('Query');
    expect(await healthy()).toBe(200);
  });

  it('applies the same limits to operations sent over WebSocket', async () => {
    const client = wsClient(stack.url, agent.apiKey);
    try {
      const deep = `query($id: ID!) { action(id: $id) { ${'agent { recentActions { '.repeat(8)} id ${'} } '.repeat(8)} } }`;
      const refused = await wsErrors(wsOnce(client, deep, { id: actionId }));
      expect(refused[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'COUNTERSIGN_MAX_DEPTH' });
      const nul = await wsErrors(wsOnce(client, SUBMIT, { input: { ...INPUTS.auto, summary: 'a\u0000b' } }));
      expect(nul[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const fine = await wsOnce(client, '{ me { kind } }');
      expect(fine.data).toEqual({ me: { kind: 'AGENT' } });
    } finally {
      await client.dispose();
    }
    expect(await healthy()).toBe(200);
  });
});
