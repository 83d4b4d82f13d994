import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { INPUTS, SUBMIT, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

// A submission is judged on what was read before its transaction (an instance keeps the
// agents it authenticated by key for a moment) and commits only if that still holds in
// the transaction: these changes are made on instance B while instance A has just served
// the same agent, and A's next submission must already obey them.
describe('what a submission commits on is current, whichever instance changed it', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A remembers authenticated agents for an hour here, so that only the checks and the
    // notifications under test can make it notice a change.
    a = await startServer({ database, env: { COUNTERSIGN_AGENT_KEY_CACHE_MS: '3600000' } });
    b = await startServer({ database, adminToken: a.adminToken });
    await apply(a, governanceYaml());
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.drop();
  });

  it('denies the next submission at once when the agent is suspended on another instance, and approves again once resumed', async () => {
    const agent = await createAgent(a, 'kill-switch-agent');
    expect(await submit(a, agent.apiKey, INPUTS.auto)).toMatchObject({ status: 'APPROVED' });

    await gqlOk(b.url, 'mutation($id: ID!) { suspendAgent(id: $id, reason: "runaway loop") { status } }', { id: agent.id }, b.adminToken);
    const denied = await submit(a, agent.apiKey, INPUTS.auto);
    expect(denied).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED', receipt: null });

    await gqlOk(b.url, 'mutation($id: ID!) { resumeAgent(id: $id) { status } }', { id: agent.id }, b.adminToken);
    const approved = await submit(a, agent.apiKey, INPUTS.auto);
    expect(approved).toMatchObject({ status: 'APPROVED', statusReason: 'AUTO_APPROVED' });
    expect(approved.receipt).toBeTruthy();

    // Routed submissions too: a SYNC request of a suspended agent is denied, not queued.
    await gqlOk(b.url, 'mutation($id: ID!) { suspendAgent(id: $id) { status } }', { id: agent.id }, b.adminToken);
    expect(await submit(a, agent.apiKey, INPUTS.sync)).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED', assignees: [] });
  });

  it('refuses a submission with a key rotated on another instance, and takes the new key at once', async () => {
    const agent = await createAgent(a, 'rotated-agent');
    expect(await submit(a, agent.apiKey, INPUTS.auto)).toMatchObject({ status: 'APPROVED' });

    const rotated = await gqlOk(b.url, 'mutation($id: ID!) { rotateAgentKey(id: $id) { apiKey } }', { id: agent.id }, b.adminToken);
    const refused = await gql(a.url, SUBMIT, { input: INPUTS.auto }, agent.apiKey);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.data?.submitAction ?? null).toBeNull();

    expect(await submit(a, rotated.rotateAgentKey.apiKey, INPUTS.auto)).toMatchObject({ status: 'APPROVED' });
    // Nothing of the refused submission was stored: the agent has exactly its two approved requests.
    const mine = await gqlOk(a.url, 'query { myActions(first: 10) { totalCount } }', {}, rotated.rotateAgentKey.apiKey);
    expect(mine.myActions.totalCount).toBe(2);
  });

  it('judges a submission by governance applied on another instance a moment before', async () => {
    const agent = await createAgent(a, 'governed-agent');
    const before = await submit(a, agent.apiKey, INPUTS.auto);
    expect(before).toMatchObject({ status: 'APPROVED', mode: 'AUTO' });

    const applied = await apply(b, governanceYaml({ financeTimeout: '20m' }));
    expect(applied.applied).toBe(true);
    const after = await submit(a, agent.apiKey, INPUTS.auto);
    expect(after.governanceVersion).toBe(applied.version);
    expect(after.governanceVersion).toBeGreaterThan(before.governanceVersion);
  });

  it('stops taking a key rotated on another instance for every call, not only submissions', async () => {
    const agent = await createAgent(a, 'reader-agent');
    const ME = 'query { me { id } }';
    expect((await gqlOk(a.url, ME, {}, agent.apiKey)).me.id).toBe(agent.id);

    await gqlOk(b.url, 'mutation($id: ID!) { rotateAgentKey(id: $id) { apiKey } }', { id: agent.id }, b.adminToken);
    // Instance B's notification reaches A a moment after the rotation commits (A would otherwise keep the key for an hour).
    await waitFor(async () => errorCode(await gql(a.url, ME, {}, agent.apiKey)) === 'UNAUTHENTICATED');
  });

  it('keeps the audit chain whole when other writers append between and among its grouped submissions', async () => {
    const agent = await createAgent(a, 'chained-agent');
    const first = await submit(a, agent.apiKey, INPUTS.auto);
    // Instance B appends (an admin change), so A's next group finds the head elsewhere than it left it.
    const other = await createAgent(b, 'appended-on-b');
    const second = await submit(a, agent.apiKey, INPUTS.auto);
    // And groups on both instances, with decisions' and admins' appends among them.
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? createAgent(i % 2 ? a : b, `busy-${i}`) : submit(i % 2 ? a : b, agent.apiKey, INPUTS.auto))));

    const VERIFY = '{ verifyAuditChain { valid checked brokenAt } }';
    const verified = (await gqlOk(a.url, VERIFY, {}, a.adminToken)).verifyAuditChain;
    expect(verified).toMatchObject({ valid: true, brokenAt: null });
    const log = await gqlOk(a.url, 'query($s: String) { auditLog(first: 500, filter: { subjectId: $s }) { nodes { seq kind } } }', { s: second.id }, a.adminToken);
    const created = await gqlOk(a.url, 'query($s: String) { auditLog(first: 5, filter: { subjectId: $s }) { nodes { seq kind } } }', { s: other.id }, a.adminToken);
    const firstLog = await gqlOk(a.url, 'query($s: String) { auditLog(first: 5, filter: { subjectId: $s }) { nodes { seq kind } } }', { s: first.id }, a.adminToken);
    // The three appends are in the order they happened, each once.
    const seqOf = (nodes: { seq: number; kind: string }[], kind: string) => nodes.filter((n) => n.kind === kind).map((n) => Number(n.seq));
    expect(seqOf(firstLog.auditLog.nodes, 'ACTION_SUBMITTED')).toHaveLength(1);
    expect(seqOf(created.auditLog.nodes, 'AGENT_CREATED')).toHaveLength(1);
    expect(seqOf(log.auditLog.nodes, 'ACTION_SUBMITTED')).toHaveLength(1);
    expect(seqOf(firstLog.auditLog.nodes, 'ACTION_SUBMITTED')[0]!).toBeLessThan(seqOf(created.auditLog.nodes, 'AGENT_CREATED')[0]!);
    expect(seqOf(created.auditLog.nodes, 'AGENT_CREATED')[0]!).toBeLessThan(seqOf(log.auditLog.nodes, 'ACTION_SUBMITTED')[0]!);
  });
});
