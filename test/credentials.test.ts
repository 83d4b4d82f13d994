import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, startStack, createAgent, createApprover, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { RawSocket, type OperationOutcome } from './support/raw-socket.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

const ME = '{ me { kind id name } }';
const ACTION_UPDATED = 'subscription($id: ID!) { actionUpdated(id: $id) { id status } }';
const ROTATE_KEY = 'mutation($id: ID!) { rotateAgentKey(id: $id) { apiKey } }';
const SUSPEND = 'mutation($id: ID!) { suspendAgent(id: $id) { status } }';
const UPDATE_APPROVER = 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { active } }';
const ROTATE_TOKEN = 'mutation($id: ID!) { rotateApproverToken(id: $id) { token approver { id name } } }';
const CREATE_ADMIN_TOKEN = 'mutation($name: String!) { createAdminToken(name: $name) { token adminToken { id name } } }';
const REVOKE_ADMIN_TOKEN = 'mutation($id: ID!) { revokeAdminToken(id: $id) { id name revokedAt } }';
const SUBMIT_OP = 'mutation($input: ActionInput!) { submitAction(input: $input) { id status } }';
const DECIDE_OP = 'mutation($input: DecisionInput!) { decide(input: $input) { id status } }';
const ACTION_STATUS = 'query($id: ID!) { action(id: $id) { status decisions { verdict } } }';
const AUDIT_ALL = 'query($kind: [String!]) { auditLog(filter: { kind: $kind }, first: 100) { nodes { actorId } } }';
const AUDIT = 'query($kind: [String!]) { auditLog(filter: { kind: $kind }, first: 50) { nodes { kind subjectId actorType actorId } } }';

/** The next operation on a socket whose credential just died: refused, or cut off by the close. */
function refused(outcome: OperationOutcome): boolean {
  if (outcome.kind === 'closed') return outcome.code === 4403;
  const errors = outcome.kind === 'error' ? outcome.errors : outcome.payload.errors;
  const code = errors?.[0]?.extensions?.code;
  return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN';
}

/** Waits (with a deadline) for the socket to close and returns its close code. */
function closeCode(socket: RawSocket): Promise<number> {
  return waitFor(() => socket.closeCode ?? undefined, { what: 'the socket to close', timeoutMs: 15_000 });
}

describe('credentials on open WebSockets', () => {
  let database: TestDatabase;
  /** Two instances on one database: a change made through `a` closes sockets on `b` too. */
  let a: TestServer;
  let b: TestServer;
  const sockets: RawSocket[] = [];
  const connect = async (server: TestServer, token: string) => {
    const socket = await RawSocket.connect(server.url, token);
    sockets.push(socket);
    return socket;
  };

  let requester: { apiKey: string };
  let requests = 0;
  /** A request pending for the finance role (routed to every finance approver created before it). */
  const pendingRequest = async (): Promise<string> => (await submit(a, requester.apiKey, { ...INPUTS.sync, idempotencyKey: `pending-${++requests}` })).id;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startServer({ database });
    b = await startServer({ database, adminToken: a.adminToken });
    await apply(a, governanceYaml());
    requester = await createAgent(a, 'requester');
    // Someone to route to, so that requests stay pending (and their subscriptions open).
    await createApprover(a, 'fiona', ['finance']);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await b?.dispose();
    await a?.dispose();
    await database?.drop();
  });

  /**
   * Opens, for one credential, a socket on each instance with a live subscription, makes the
   * change, and checks what a user would see: the next operation on instance a is refused,
   * both sockets close with 4403 (b's only through the event bus, since nothing is sent on
   * it), and the subscriptions end with them. `attack` is what the dead credential tries
   * next on its open socket (what an attacker holding it would do, not a harmless read).
   */
  async function expectSocketsClosedBy(token: string, actionId: string, change: () => Promise<unknown>, attack: { query: string; variables?: Record<string, unknown> } = { query: ME }) {
    const subscription = { query: ACTION_UPDATED, variables: { id: actionId } };
    const onA = await connect(a, token);
    const onB = await connect(b, token);
    expect(await onA.request(ME)).toMatchObject({ kind: 'next', payload: { data: { me: {} } } });
    const subA = onA.start(subscription.query, subscription.variables);
    const subB = onB.start(subscription.query, subscription.variables);
    await waitFor(() => (onA.values.get(subA)?.length ?? 0) > 0 && (onB.values.get(subB)?.length ?? 0) > 0, { what: 'both subscriptions to start' });
    expect(onA.completed.has(subA) || onB.completed.has(subB)).toBe(false);

    await change();

    const next = await onA.request(attack.query, attack.variables);
    expect(refused(next), JSON.stringify(next)).toBe(true);
    expect(await closeCode(onA)).toBe(4403);
    expect(await closeCode(onB)).toBe(4403);
    // A new connection with the same credential is refused at once.
    expect(await RawSocket.open(a.url, token)).toMatchObject({ ack: false, code: 4403 });
  }

  it('closes the sockets of an agent whose key is rotated, on every instance', async () => {
    const agent = await createAgent(a, 'rotated-bot');
    const pending = await submit(a, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'rotate' });
    let newKey = '';
    await expectSocketsClosedBy(agent.apiKey, pending.id, async () => {
      newKey = (await gqlOk(a.url, ROTATE_KEY, { id: agent.id }, a.adminToken)).rotateAgentKey.apiKey;
    }, { query: SUBMIT_OP, variables: { input: { ...INPUTS.auto, idempotencyKey: 'after-rotation' } } });
    // The old key's submission never landed: the agent has only the request made before.
    expect((await gqlOk(a.url, '{ myActions(first: 10) { totalCount } }', {}, newKey)).myActions.totalCount).toBe(1);
    // The new key works, on a socket too.
    const fresh = await connect(b, newKey);
    expect(await fresh.request(ME)).toMatchObject({ kind: 'next', payload: { data: { me: { id: agent.id } } } });
  });

  it('closes the sockets of an agent that is suspended, on every instance', async () => {
    const agent = await createAgent(a, 'suspended-bot');
    const pending = await submit(a, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'suspend' });
    await expectSocketsClosedBy(agent.apiKey, pending.id, () => gqlOk(a.url, SUSPEND, { id: agent.id }, a.adminToken),
      { query: SUBMIT_OP, variables: { input: { ...INPUTS.auto, idempotencyKey: 'after-suspension' } } });
    const submitted = (await gqlOk(a.url, AUDIT_ALL, { kind: ['ACTION_SUBMITTED'] }, a.adminToken)).auditLog.nodes as { actorId: string }[];
    expect(submitted.filter((e) => e.actorId === agent.id)).toHaveLength(1);
  });

  it('closes the sockets of an approver who is deactivated, and they can no longer register a webhook over one', async () => {
    const approver = await createApprover(a, 'dora', ['finance']);
    const pending = await pendingRequest();
    await expectSocketsClosedBy(approver.token, pending, () => gqlOk(a.url, UPDATE_APPROVER, { id: approver.id, input: { active: false } }, a.adminToken),
      { query: DECIDE_OP, variables: { input: { actionId: pending, verdict: 'APPROVE' } } });
    expect((await gqlOk(a.url, ACTION_STATUS, { id: pending }, a.adminToken)).action).toEqual({ status: 'PENDING', decisions: [] });
    const result = await gql(a.url, 'mutation { createWebhook(input: { url: "https://hooks.example.com/x" }) { secret } }', {}, approver.token);
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  it('keeps the sockets of an approver whose roles change, acting with the new roles', async () => {
    const approver = await createApprover(a, 'rolf', ['finance']);
    const socket = await connect(b, approver.token);
    await gqlOk(a.url, UPDATE_APPROVER, { id: approver.id, input: { roles: ['compliance'] } }, a.adminToken);
    const me = await waitFor(async () => {
      const outcome = await socket.request('{ me { roles } }');
      return outcome.kind === 'next' && (outcome.payload.data as { me: { roles: string[] } }).me.roles[0] === 'compliance' ? outcome : undefined;
    }, { what: 'the new roles' });
    expect(me.kind).toBe('next');
    expect(socket.closeCode).toBeNull();
  });

  it('closes the sockets of a revoked admin token, on every instance', async () => {
    const created = (await gqlOk(a.url, CREATE_ADMIN_TOKEN, { name: 'ci-job' }, a.adminToken)).createAdminToken;
    const victim = await createAgent(a, 'victim-bot');
    await expectSocketsClosedBy(created.token, await pendingRequest(), async () => {
      const revoked = (await gqlOk(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, a.adminToken)).revokeAdminToken;
      expect(revoked).toMatchObject({ id: created.adminToken.id, name: 'ci-job' });
      expect(revoked.revokedAt).not.toBeNull();
    }, { query: SUSPEND, variables: { id: victim.id } });
    // The revoked token's kill switch did nothing: the agent still acts.
    expect((await submit(a, victim.apiKey, INPUTS.auto)).status).toBe('APPROVED');
    expect(errorCode(await gql(a.url, ME, {}, created.token))).toBe('UNAUTHENTICATED');
    const audit = (await gqlOk(a.url, AUDIT, { kind: 'ADMIN_TOKEN_REVOKED' }, a.adminToken)).auditLog.nodes;
    expect(audit).toEqual([{ kind: 'ADMIN_TOKEN_REVOKED', subjectId: created.adminToken.id, actorType: 'ADMIN', actorId: null }]);
  });

  it('closes the sockets of an approver whose token is rotated, and the new token works at once', async () => {
    const approver = await createApprover(a, 'rita', ['finance']);
    let newToken = '';
    const pending = await pendingRequest();
    await expectSocketsClosedBy(approver.token, pending, async () => {
      newToken = (await gqlOk(a.url, ROTATE_TOKEN, { id: approver.id }, a.adminToken)).rotateApproverToken.token;
    }, { query: DECIDE_OP, variables: { input: { actionId: pending, verdict: 'APPROVE' } } });
    expect((await gqlOk(a.url, ACTION_STATUS, { id: pending }, a.adminToken)).action).toEqual({ status: 'PENDING', decisions: [] });
    expect(newToken).toMatch(/^cs_appr_/);
    expect(errorCode(await gql(a.url, ME, {}, approver.token))).toBe('UNAUTHENTICATED');
    expect((await gqlOk(b.url, ME, {}, newToken)).me).toMatchObject({ kind: 'APPROVER', id: approver.id });
    const audit = (await gqlOk(a.url, AUDIT, { kind: 'APPROVER_TOKEN_ROTATED' }, a.adminToken)).auditLog.nodes;
    expect(audit).toEqual([{ kind: 'APPROVER_TOKEN_ROTATED', subjectId: approver.id, actorType: 'ADMIN', actorId: null }]);
  });

  it('lets an approver rotate their own token, not anyone else\'s, and keeps the sockets of the new token open', async () => {
    const self = await createApprover(a, 'sam', ['finance']);
    const other = await createApprover(a, 'otto', ['finance']);
    expect(errorCode(await gql(a.url, ROTATE_TOKEN, { id: other.id }, self.token))).toBe('FORBIDDEN');
    const agent = await createAgent(a, 'curious-bot');
    expect(errorCode(await gql(a.url, ROTATE_TOKEN, { id: other.id }, agent.apiKey))).toBe('FORBIDDEN');

    const old = await connect(a, self.token);
    const rotated = (await gqlOk(a.url, ROTATE_TOKEN, { id: self.id }, self.token)).rotateApproverToken;
    const fresh = await connect(a, rotated.token);
    expect(await closeCode(old)).toBe(4403);
    expect(await fresh.request(ME)).toMatchObject({ kind: 'next', payload: { data: { me: { id: self.id } } } });
    expect(fresh.closeCode).toBeNull();
    // other's token was not touched.
    expect((await gqlOk(a.url, ME, {}, other.token)).me.id).toBe(other.id);
  });

  it('refuses to revoke the admin token in use, and lets only admins revoke', async () => {
    const created = (await gqlOk(a.url, CREATE_ADMIN_TOKEN, { name: 'self-revoker' }, a.adminToken)).createAdminToken;
    const self = await gql(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, created.token);
    expect(errorCode(self)).toBe('CONFLICT');
    expect((await gqlOk(a.url, ME, {}, created.token)).me.name).toBe('self-revoker');
    const approver = await createApprover(a, 'nosy', ['finance']);
    expect(errorCode(await gql(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, approver.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, requester.apiKey))).toBe('FORBIDDEN');
    expect(errorCode(await gql(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(a.url, ROTATE_TOKEN, { id: approver.id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(a.url, REVOKE_ADMIN_TOKEN, { id: 'not-an-id' }, a.adminToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql(a.url, REVOKE_ADMIN_TOKEN, { id: '00000000-0000-4000-8000-000000000000' }, a.adminToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql(a.url, ROTATE_TOKEN, { id: '00000000-0000-4000-8000-000000000000' }, a.adminToken))).toBe('NOT_FOUND');
    // Revoking twice answers the revoked token and records one event.
    await gqlOk(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, a.adminToken);
    await gqlOk(a.url, REVOKE_ADMIN_TOKEN, { id: created.adminToken.id }, a.adminToken);
    const audit = (await gqlOk(a.url, AUDIT, { kind: 'ADMIN_TOKEN_REVOKED' }, a.adminToken)).auditLog.nodes as { subjectId: string }[];
    expect(audit.filter((e) => e.subjectId === created.adminToken.id)).toHaveLength(1);
  });
});

describe('the periodic recheck of open WebSockets', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    stack = await startStack({ COUNTERSIGN_WS_RECHECK_MS: '1000' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.dispose();
  });

  it('checks every open socket\'s credential in one batched statement, not one per socket', async () => {
    const agents = [];
    for (let i = 0; i < 20; i++) agents.push(await createAgent(stack, `sweep-bot-${i}`));
    for (const agent of agents) for (let j = 0; j < 10; j++) sockets.push(await RawSocket.connect(stack.url, agent.apiKey));
    // Count the agent lookups the server sends from now on.
    const sql = stack.app.services.sql;
    const execute = sql.execute.bind(sql);
    const lookups: unknown[][] = [];
    sql.execute = (async (text: string, params?: unknown[]) => {
      if (text.includes('from "agent" where "api_key_hash" = any')) lookups.push(params ?? []);
      return execute(text, params);
    }) as typeof sql.execute;
    try {
      await waitFor(() => lookups.length >= 1, { what: 'a sweep' });
      // One statement carried all 200 sockets' keys.
      expect((lookups[0]![0] as string[]).length).toBe(200);
      // Meanwhile a suspended agent's sockets close at the latest at the next sweep.
      await stack.database.query(`update "agent" set "status" = 'SUSPENDED' where "id" = $1`, [agents[0]!.id]);
      for (const socket of sockets.slice(0, 10)) expect(await closeCode(socket)).toBe(4403);
      for (const socket of sockets.slice(10)) expect(socket.closeCode).toBeNull();
    } finally {
      sql.execute = execute;
    }
  });

  it('checks the web app\'s sockets (session cookies) in one batched statement too, and closes a deactivated approver\'s', async () => {
    const base = new URL(stack.url).origin;
    const people = [];
    for (let i = 0; i < 10; i++) people.push(await createApprover(stack, `sweep-approver-${i}`));
    const pageSockets: RawSocket[] = [];
    for (const person of people) {
      const signedIn = await fetch(`${base}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ token: person.token }) });
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('cs_session='))!.split(';')[0]!;
      for (let j = 0; j < 5; j++) pageSockets.push(await RawSocket.connect(stack.url, undefined, { cookie, origin: base }));
    }
    sockets.push(...pageSockets);
    const sql = stack.app.services.sql;
    const execute = sql.execute.bind(sql);
    const lookups: unknown[][] = [];
    sql.execute = (async (text: string, params?: unknown[]) => {
      if (text.includes('from "web_session" s') && text.includes('"secret_hash" = any')) lookups.push(params ?? []);
      return execute(text, params);
    }) as typeof sql.execute;
    try {
      await waitFor(() => lookups.some((p) => (p[0] as string[]).length >= 50), { what: 'a sweep of the 50 page sockets in one statement' });
      // A deactivated approver's open pages close at the latest at the next sweep; the others stay.
      await stack.database.query(`update "approver" set "active" = false where "id" = $1`, [people[0]!.id]);
      for (const socket of pageSockets.slice(0, 5)) expect(await closeCode(socket)).toBe(4403);
      for (const socket of pageSockets.slice(5)) expect(socket.closeCode).toBeNull();
    } finally {
      sql.execute = execute;
    }
  });
});
