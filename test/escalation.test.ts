import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { collect, errorCode, gql, gqlOk, wsClient } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { ACTION_FIELDS, DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

const statusOf = async (server: TestServer, id: string) => (await gqlOk(server.url, GET_ACTION, { id }, server.adminToken)).action;

describe('escalation and live push across two instances', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let agent: { id: string; apiKey: string };
  let fiona: { id: string; token: string };
  let lars: { id: string; token: string };
  let cfo: { id: string; token: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startServer({ database });
    b = await startServer({ database, adminToken: a.adminToken });
    fiona = await createApprover(a, 'fiona', ['finance']);
    lars = await createApprover(a, 'lars', ['finance-lead']);
    cfo = await createApprover(a, 'cfo');
    agent = await createAgent(a, 'ap-agent');
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await database?.drop();
  });

  it('delivers a decision made on instance B to the agent subscribed on instance A', async () => {
    await apply(a, governanceYaml());
    const pending = await submit(a, agent.apiKey, INPUTS.sync);
    const client = wsClient(a.url, agent.apiKey);
    try {
      const updates = collect<{ actionUpdated: { status: string; receipt: string | null; decisions: { verdict: string; approver: { id: string } }[] } }>(client, `subscription($id: ID!) { actionUpdated(id: $id) { ${ACTION_FIELDS} } }`, { id: pending.id });
      // The current state comes at once on subscribe, with whoever holds the request.
      const first = await updates.until((v) => v.actionUpdated.status === 'PENDING');
      expect(pending.assignees).not.toHaveLength(0);
      expect((first.actionUpdated as unknown as { assignees: { approver: { id: string } }[] }).assignees.map((x) => x.approver.id)).toEqual(
        pending.assignees.map((x: { approver: { id: string } }) => x.approver.id),
      );
      await gqlOk(b.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, fiona.token);
      const approved = await updates.until((v) => v.actionUpdated.status === 'APPROVED');
      expect(approved.actionUpdated.receipt).toBeTruthy();
      // Relations are read fresh for each emission, not served from the first one's cache.
      expect(approved.actionUpdated.decisions).toEqual([expect.objectContaining({ verdict: 'APPROVE', approver: expect.objectContaining({ id: fiona.id }) })]);
      await updates.completed;
      expect(updates.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('escalates level by level on timeout, exactly once with two instances running, then expires (fail closed)', async () => {
    await apply(a, governanceYaml({ financeTimeout: '1s', leadTimeout: '1s', cfoTimeout: '1s' }));
    const pending = await submit(a, agent.apiKey, INPUTS.sync);
    expect(pending).toMatchObject({ escalationLevel: 1, assignees: [{ approver: { id: fiona.id } }] });

    const expired = await waitFor(async () => {
      const now = await statusOf(a, pending.id);
      return now.status === 'EXPIRED' ? now : undefined;
    }, { timeoutMs: 30_000, what: 'the request to expire' });
    expect(expired).toMatchObject({ statusReason: 'TIMED_OUT', assignees: [], receipt: null });

    const kinds = expired.auditTrail.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['ACTION_SUBMITTED', 'ACTION_ASSIGNED', 'ABOUT_TO_EXPIRE', 'ESCALATED', 'ABOUT_TO_EXPIRE', 'ESCALATED', 'ABOUT_TO_EXPIRE', 'ACTION_EXPIRED']);
    const escalations = expired.auditTrail.filter((e: { kind: string }) => e.kind === 'ESCALATED');
    expect(escalations.map((e: { data: { fromLevel: number; toLevel: number } }) => [e.data.fromLevel, e.data.toLevel])).toEqual([[1, 2], [2, 3]]);
    expect(escalations[0].data.assignees).toEqual([{ approverId: lars.id, onBehalfOf: null, viaRole: 'finance-lead' }]);
    expect(escalations[1].data.assignees).toEqual([{ approverId: cfo.id, onBehalfOf: null, viaRole: null }]);
    expect(errorCode(await gql(a.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, cfo.token))).toBe('CONFLICT');
  });

  it('fires a burst of deadlines that fall due together exactly once each, in batches shared by two instances', async () => {
    await apply(a, governanceYaml({ financeTimeout: '1s', leadTimeout: '1h' }));
    // More than one batch's worth, submitted on both instances, all due within a moment.
    const submitted = await Promise.all(Array.from({ length: 120 }, (_, i) => submit(i % 2 ? a : b, agent.apiKey, INPUTS.sync)));
    const ids = submitted.map((r) => r.id);
    const escalatedOnce = async () => {
      const trails = await Promise.all(ids.map((id) => statusOf(a, id)));
      return trails.every((r) => r.escalationLevel === 2) ? trails : undefined;
    };
    const trails = await waitFor(escalatedOnce, { timeoutMs: 60_000, what: 'all 120 requests at level 2' });
    for (const request of trails) {
      const escalations = request.auditTrail.filter((e: { kind: string }) => e.kind === 'ESCALATED');
      expect(escalations.map((e: { data: { fromLevel: number; toLevel: number } }) => [e.data.fromLevel, e.data.toLevel])).toEqual([[1, 2]]);
      expect(request.assignees).toEqual([expect.objectContaining({ approver: { id: lars.id, name: 'lars' }, level: 2 })]);
    }
    // The batches' appends left the chain whole.
    const audit = await gqlOk(a.url, 'query { verifyAuditChain { valid } }', {}, a.adminToken);
    expect(audit.verifyAuditChain.valid).toBe(true);
    // Out of lars's queue again, for the tests that follow.
    await Promise.all(ids.map((id) => gqlOk(a.url, 'mutation($id: ID!) { cancelAction(id: $id) { status } }', { id }, agent.apiKey)));
  });

  it('lets only the current level decide: after escalation the previous assignee is FORBIDDEN', async () => {
    await apply(a, governanceYaml({ financeTimeout: '1s', leadTimeout: '1h' }));
    const pending = await submit(a, agent.apiKey, INPUTS.sync);
    await waitFor(async () => (await statusOf(a, pending.id)).escalationLevel === 2, { what: 'escalation to level 2' });
    expect(errorCode(await gql(a.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, fiona.token))).toBe('FORBIDDEN');
    const queue = await gqlOk(b.url, '{ approvalQueue { nodes { id escalationLevel } } }', {}, lars.token);
    expect(queue.approvalQueue.nodes).toContainEqual({ id: pending.id, escalationLevel: 2 });
    expect((await gqlOk(b.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, lars.token)).decide.status).toBe('APPROVED');
  });

  it('skips a level whose approvers resolve to nobody at once', async () => {
    await apply(a, governanceYaml().replace('role: finance-lead', 'role: treasury'));
    const pending = await submit(a, agent.apiKey, INPUTS.sync);
    expect(pending.escalationLevel).toBe(1);
    await apply(a, governanceYaml({ financeTimeout: '1s' }).replace('role: finance-lead', 'role: treasury'));
    const fast = await submit(a, agent.apiKey, INPUTS.sync);
    const atCfo = await waitFor(async () => {
      const now = await statusOf(a, fast.id);
      return now.escalationLevel === 3 ? now : undefined;
    }, { what: 'the cfo level' });
    expect(atCfo.assignees).toEqual([expect.objectContaining({ approver: { id: cfo.id, name: 'cfo' } })]);
    expect(atCfo.auditTrail.filter((e: { kind: string }) => e.kind === 'ESCALATED')).toHaveLength(1);
  });

  it('tells an approver live when a request enters and leaves their queue', async () => {
    await apply(a, governanceYaml());
    const client = wsClient(b.url, fiona.token);
    try {
      const updates = collect<{ approvalQueueUpdated: { actionId: string; inQueue: boolean } }>(client, 'subscription { approvalQueueUpdated { actionId inQueue } }');
      // Give the subscription a moment to be registered by polling with a harmless request until the server answers.
      await waitFor(async () => (await gql(b.url, '{ me { kind } }', {}, fiona.token)).data?.me, { what: 'server' });
      const pending = await waitFor(async () => {
        const p = await submit(a, agent.apiKey, INPUTS.sync);
        return updates.values.some((v) => v.approvalQueueUpdated.actionId === p.id) ? p : (await updates.until((v) => v.approvalQueueUpdated.actionId === p.id, 5000).then(() => p));
      }, { what: 'an assignment notice' });
      expect(updates.values.find((v) => v.approvalQueueUpdated.actionId === pending.id)!.approvalQueueUpdated.inQueue).toBe(true);
      await gqlOk(a.url, 'mutation($id: ID!) { cancelAction(id: $id) { status } }', { id: pending.id }, agent.apiKey);
      await updates.until((v) => v.approvalQueueUpdated.actionId === pending.id && !v.approvalQueueUpdated.inQueue);
    } finally {
      await client.dispose();
    }
  });

  it('assigns a request to a role of 300 approvers and tells one on the other instance (events split to fit NOTIFY)', async () => {
    const desk = await Promise.all(Array.from({ length: 300 }, (_, i) => createApprover(a, `desk-${i}`, ['big-desk'])));
    await apply(a, governanceYaml().replace("chain: finance }", "chain: finance }\n  - { name: bulk, priority: 20, when: 'action.type.startsWith(\"bulk.\")', chain: desk }")
      .replace('escalationChains:\n', 'escalationChains:\n  - name: desk\n    levels:\n      - { approvers: { role: big-desk }, timeout: 1h }\n'));
    const last = desk.at(-1)!;
    const client = wsClient(b.url, last.token);
    try {
      const updates = collect<{ approvalQueueUpdated: { actionId: string; inQueue: boolean } }>(client, 'subscription { approvalQueueUpdated { actionId inQueue } }');
      await waitFor(async () => (await gql(b.url, '{ me { kind } }', {}, last.token)).data?.me, { what: 'instance B' });
      let pending: { id: string; status: string; assignees: unknown[] } | undefined;
      await waitFor(async () => {
        pending = await submit(a, agent.apiKey, { ...INPUTS.sync, type: 'bulk.transfer' });
        return updates.until((v) => v.approvalQueueUpdated.actionId === pending!.id, 5000).then(() => true, () => false);
      }, { what: 'the queue notice on instance B' });
      expect(pending).toMatchObject({ status: 'PENDING' });
      expect(pending!.assignees).toHaveLength(300);
      expect(updates.values.find((v) => v.approvalQueueUpdated.actionId === pending!.id)!.approvalQueueUpdated.inQueue).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});
