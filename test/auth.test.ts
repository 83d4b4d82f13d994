import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk, wsClient, wsOnce } from './support/graphql.js';

const ME = '{ me { kind id name roles agent { id name status } approver { id name } } }';
const CREATE_AGENT = 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id name } apiKey } }';

describe('authentication and principals', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.dispose());

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const result = await gql(stack.url, '{ agents { totalCount } }');
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(result.data?.agents ?? null).toBeNull();
  });

  it('refuses a wrong token with UNAUTHENTICATED and HTTP 401', async () => {
    const result = await gql(stack.url, ME, {}, 'cs_agent_not-a-real-key');
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(result.status).toBe(401);
  });

  it('lets the bootstrap admin see itself', async () => {
    const data = await gqlOk(stack.url, ME, {}, stack.adminToken);
    expect(data.me).toMatchObject({ kind: 'ADMIN', id: null, name: 'bootstrap', agent: null });
  });

  it('forbids an agent from calling an admin mutation', async () => {
    const agent = await createAgent(stack, 'forbidden-agent');
    const result = await gql(stack.url, CREATE_AGENT, { input: { name: 'sneaky' } }, agent.apiKey);
    expect(errorCode(result)).toBe('FORBIDDEN');
    const list = await gqlOk(stack.url, '{ agents(first: 100) { nodes { name } } }', {}, stack.adminToken);
    expect(list.agents.nodes.map((n: { name: string }) => n.name)).not.toContain('sneaky');
  });

  it('forbids an approver from calling an admin mutation', async () => {
    const approver = await createApprover(stack, 'not-an-admin', ['finance']);
    const result = await gql(stack.url, 'mutation { createApprover(input: {name: "self-made", roles: ["admin"]}) { token } }', {}, approver.token);
    expect(errorCode(result)).toBe('FORBIDDEN');
    const me = await gqlOk(stack.url, ME, {}, approver.token);
    expect(me.me).toMatchObject({ kind: 'APPROVER', name: 'not-an-admin', roles: ['finance'] });
  });

  it('gives a new agent a key that works for `me` over HTTP and over WebSocket', async () => {
    const agent = await createAgent(stack, 'payments-bot', { tags: ['finance'] });
    expect(agent.apiKey).toMatch(/^cs_agent_[A-Za-z0-9_-]{40,}$/);

    const http = await gqlOk(stack.url, ME, {}, agent.apiKey);
    expect(http.me).toMatchObject({ kind: 'AGENT', id: agent.id, name: 'payments-bot', agent: { status: 'ACTIVE' } });

    const client = wsClient(stack.url, agent.apiKey);
    try {
      const ws = await wsOnce(client, ME);
      expect(ws.errors).toBeUndefined();
      expect(ws.data?.me).toMatchObject({ kind: 'AGENT', id: agent.id });
    } finally {
      await client.dispose();
    }
  });

  it('closes a WebSocket that presents a wrong token', async () => {
    const client = wsClient(stack.url, 'cs_agent_wrong');
    try {
      await expect(wsOnce(client, ME)).rejects.toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
  });

  it('stores keys and tokens only as hashes', async () => {
    const agent = await createAgent(stack, 'hash-check');
    const approver = await createApprover(stack, 'hash-checker');
    const rows = await stack.database.query<{ found: boolean }>(
      `select exists(select 1 from agent where api_key_hash = $1 or api_key_hash like '%' || $1 || '%')
           or exists(select 1 from approver where token_hash = $2)
           or exists(select 1 from audit_event where data::text like '%' || $1 || '%' or data::text like '%' || $2 || '%') as found`,
      [agent.apiKey, approver.token],
    );
    expect(rows[0]!.found).toBe(false);
  });

  it('rejects a duplicate agent name with CONFLICT and a bad name with BAD_USER_INPUT naming the field', async () => {
    await createAgent(stack, 'dup-agent');
    const dup = await gql(stack.url, CREATE_AGENT, { input: { name: 'dup-agent' } }, stack.adminToken);
    expect(errorCode(dup)).toBe('CONFLICT');
    const bad = await gql(stack.url, CREATE_AGENT, { input: { name: 'has spaces' } }, stack.adminToken);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('name');
  });

  it('suspends and resumes an agent, and rotating its key retires the old one', async () => {
    const agent = await createAgent(stack, 'rotating');
    const suspended = await gqlOk(stack.url, 'mutation($id: ID!) { suspendAgent(id: $id, reason: "runaway loop") { status suspendedReason } }', { id: agent.id }, stack.adminToken);
    expect(suspended.suspendAgent).toEqual({ status: 'SUSPENDED', suspendedReason: 'runaway loop' });
    const resumed = await gqlOk(stack.url, 'mutation($id: ID!) { resumeAgent(id: $id) { status suspendedReason } }', { id: agent.id }, stack.adminToken);
    expect(resumed.resumeAgent).toEqual({ status: 'ACTIVE', suspendedReason: null });

    const rotated = await gqlOk(stack.url, 'mutation($id: ID!) { rotateAgentKey(id: $id) { apiKey } }', { id: agent.id }, stack.adminToken);
    expect(errorCode(await gql(stack.url, ME, {}, agent.apiKey))).toBe('UNAUTHENTICATED');
    expect((await gqlOk(stack.url, ME, {}, rotated.rotateAgentKey.apiKey)).me.id).toBe(agent.id);
  });

  it('pages agents as a connection with a total count', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await createAgent(stack, name);
    const first = await gqlOk(stack.url, '{ agents(first: 2) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }', {}, stack.adminToken);
    expect(first.agents.nodes).toHaveLength(2);
    expect(first.agents.pageInfo.hasNextPage).toBe(true);
    const all: string[] = first.agents.nodes.map((n: { name: string }) => n.name);
    let cursor = first.agents.pageInfo.endCursor;
    for (;;) {
      const page = await gqlOk(stack.url, 'query($after: String) { agents(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }', { after: cursor }, stack.adminToken);
      all.push(...page.agents.nodes.map((n: { name: string }) => n.name));
      if (!page.agents.pageInfo.hasNextPage) break;
      cursor = page.agents.pageInfo.endCursor;
    }
    expect(all).toHaveLength(first.agents.totalCount);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
  });

  it('lets an admin create a named admin token that works in place of the bootstrap token', async () => {
    const created = await gqlOk(stack.url, 'mutation { createAdminToken(name: "ops") { token adminToken { name } } }', {}, stack.adminToken);
    const me = await gqlOk(stack.url, ME, {}, created.createAdminToken.token);
    expect(me.me).toMatchObject({ kind: 'ADMIN', name: 'ops' });
  });
});
