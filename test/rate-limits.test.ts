import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApprover, startServer, startStack, createAgent, type TestServer } from './support/server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { errorCode, gql, wsClient, wsOnce, type GraphQLResult } from './support/graphql.js';

const ME = '{ me { kind } }';
const REDIS_URL = process.env.COUNTERSIGN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A raw request (`me` for a principal, `__typename` for anyone), keeping the status and the Retry-After header. */
async function ask(url: string, token?: string): Promise<GraphQLResult & { retryAfter: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: token ? ME : '{ __typename }' }),
  });
  return { ...((await response.json()) as GraphQLResult), status: response.status, retryAfter: response.headers.get('retry-after') };
}

/** `count` requests one after another; how many were refused with 429. */
async function flood(url: string, token: string | undefined, count: number): Promise<{ refused: (GraphQLResult & { retryAfter: string | null })[]; served: number }> {
  const refused = [];
  let served = 0;
  for (let i = 0; i < count; i++) {
    const result = await ask(url, token);
    if (result.status === 429) refused.push(result);
    else if (result.status === 200 && !result.errors) served++;
    else throw new Error(`unexpected answer: ${result.status} ${JSON.stringify(result.errors)}`);
  }
  return { refused, served };
}

const healthy = async (url: string) => (await fetch(new URL('/healthz', url))).status;

describe('rate limits per principal (DESIGN §11)', () => {
  const disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const dispose of disposers.splice(0).reverse()) await dispose();
  });
  afterAll(async () => {
    for (const dispose of disposers.splice(0).reverse()) await dispose();
  });

  /**
   * One request a second and a reserve for `burst` at once: a flood of a few times `burst`
   * is refused in part unless it lasts longer than `burst` seconds (one more each second).
   */
  const slow = (burst: number, extra: Record<string, string> = {}) => ({ COUNTERSIGN_RATE_LIMIT: '1', COUNTERSIGN_RATE_LIMIT_BURST: String(burst), ...extra });

  it('refuses a flooding agent with RATE_LIMITED, retryAfter, HTTP 429 and Retry-After, while another agent is served', async () => {
    const stack = await startStack(slow(20));
    disposers.push(() => stack.dispose());
    const flooder = await createAgent(stack, 'flooder');
    const neighbour = await createAgent(stack, 'neighbour');

    const { refused, served } = await flood(stack.url, flooder.apiKey, 40);
    expect(served).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBeGreaterThan(0);
    for (const refusal of refused) expect(errorCode(refusal)).toBe('RATE_LIMITED');
    const first = refused[0]!;
    expect(errorCode(first)).toBe('RATE_LIMITED');
    const retryAfter = first.errors?.[0]?.extensions?.retryAfter;
    expect(typeof retryAfter).toBe('number');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(first.retryAfter).toBe(String(retryAfter));

    const other = await ask(stack.url, neighbour.apiKey);
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ me: { kind: 'AGENT' } });
    expect(await healthy(stack.url)).toBe(200);
  });

  it('counts anonymous callers and unknown tokens by address, apart from authenticated principals', async () => {
    const stack = await startStack(slow(10));
    disposers.push(() => stack.dispose());
    const approver = await createApprover(stack, 'patient-approver');
    const anonymous = await flood(stack.url, undefined, 30);
    expect(anonymous.served).toBeGreaterThanOrEqual(10);
    expect(anonymous.refused.length).toBeGreaterThan(0);
    // Guessed tokens are counted against the address too: once it is spent they are refused before being looked up.
    const guesses = [];
    for (let i = 0; i < 5; i++) guesses.push((await ask(stack.url, `cs_agent_guess-${i}`)).status);
    expect(guesses).toContain(429);
    expect(guesses.every((status) => status === 401 || status === 429)).toBe(true);
    const approverAnswer = await ask(stack.url, approver.token);
    expect(approverAnswer.status).toBe(200);
    expect(await healthy(stack.url)).toBe(200);
  });

  it('rate-limits each WebSocket operation, answering RATE_LIMITED with retryAfter', async () => {
    const stack = await startStack(slow(10));
    disposers.push(() => stack.dispose());
    const flooder = await createAgent(stack, 'ws-flooder');
    const neighbour = await createAgent(stack, 'ws-neighbour');
    const client = wsClient(stack.url, flooder.apiKey);
    const other = wsClient(stack.url, neighbour.apiKey);
    disposers.push(async () => {
      await client.dispose();
      await other.dispose();
    });
    const outcomes = [];
    for (let i = 0; i < 30; i++) outcomes.push(await wsOnce(client, ME).then((r) => r, (error: Error) => JSON.parse(error.message) as GraphQLResult['errors']));
    const refusals = outcomes.filter(Array.isArray) as NonNullable<GraphQLResult['errors']>[];
    expect(outcomes.length - refusals.length).toBeGreaterThanOrEqual(10);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refusals[0]![0]!.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    expect((await wsOnce(other, ME)).data).toEqual({ me: { kind: 'AGENT' } });
    expect(await healthy(stack.url)).toBe(200);
  });

  describe('across instances', () => {
    let database: TestDatabase;
    const servers: TestServer[] = [];
    const start = async (env: Record<string, string>) => {
      const server = await startServer({ database, env, adminToken: servers[0]?.adminToken });
      servers.push(server);
      return server;
    };
    afterEach(async () => {
      for (const server of servers.splice(0)) await server.dispose();
      await database?.drop();
    });

    it('enforces one limit across two instances that share Redis', async () => {
      database = await createTestDatabase();
      const a = await start(slow(20, { COUNTERSIGN_REDIS_URL: REDIS_URL }));
      const b = await start(slow(20, { COUNTERSIGN_REDIS_URL: REDIS_URL }));
      const agent = await createAgent(a, 'shared-flooder');
      const onA = await flood(a.url, agent.apiKey, 15);
      const onB = await flood(b.url, agent.apiKey, 15);
      // Each instance alone would serve all 15 (as the in-memory test below shows).
      expect(onA.served + onB.served).toBeGreaterThanOrEqual(20);
      // Counted apart, the two instances would serve all 30.
      expect(onA.served + onB.served).toBeLessThan(30);
      expect(onB.refused.length).toBeGreaterThan(0);
      expect(errorCode(onB.refused[0]!)).toBe('RATE_LIMITED');
      expect(await healthy(a.url)).toBe(200);
      expect(await healthy(b.url)).toBe(200);
    });

    it('gives each in-memory instance its own limit', async () => {
      database = await createTestDatabase();
      const a = await start(slow(20));
      const b = await start(slow(20));
      const agent = await createAgent(a, 'local-flooder');
      const onA = await flood(a.url, agent.apiKey, 15);
      const onB = await flood(b.url, agent.apiKey, 15);
      expect(onA.served + onB.served).toBe(30);
    });

    it('keeps serving and limiting per instance while Redis cannot be reached', async () => {
      database = await createTestDatabase();
      // Nothing listens on port 1: every Redis call fails and the in-memory limiter answers.
      const a = await start(slow(10, { COUNTERSIGN_REDIS_URL: 'redis://127.0.0.1:1' }));
      const agent = await createAgent(a, 'insured-flooder');
      const result = await flood(a.url, agent.apiKey, 30);
      expect(result.served).toBeGreaterThanOrEqual(10);
      expect(result.refused.length).toBeGreaterThan(0);
      expect(await healthy(a.url)).toBe(200);
    });
  });
});
