import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createHash } from 'node:crypto';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

describe('people in the loop: decisions', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };
  let owned: { id: string; apiKey: string };
  const finance: { id: string; token: string; name: string }[] = [];
  let owner: { id: string; token: string };
  let outsider: { id: string; token: string };

  const decide = (token: string, input: Record<string, unknown>) => gql(stack.url, DECIDE, { input }, token);

  beforeAll(async () => {
    stack = await startStack();
    for (let i = 0; i < 10; i++) finance.push(await createApprover(stack, `fin-${i}`, ['finance']));
    owner = await createApprover(stack, 'owner-olga', ['finance']);
    outsider = await createApprover(stack, 'outsider', ['compliance']);
    agent = await createAgent(stack, 'ap-agent');
    owned = await createAgent(stack, 'olga-bot', { ownerId: owner.id });
    await apply(stack, governanceYaml());
  });
  afterAll(() => stack?.dispose());

  it('approves: the agent gets APPROVED with the payload and a receipt, and the request leaves every queue', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    expect(pending.assignees).toHaveLength(11);
    const result = await decide(finance[0]!.token, { actionId: pending.id, verdict: 'APPROVE', comment: 'Invoice checked' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.decide).toMatchObject({
      status: 'APPROVED', statusReason: 'APPROVED_BY_APPROVER', approvedPayload: INPUTS.sync.payload, assignees: [],
      decisions: [{ verdict: 'APPROVE', comment: 'Invoice checked', approver: { id: finance[0]!.id }, onBehalfOf: null }],
    });
    expect(result.data!.decide.receipt).toBeTruthy();
    const queue = await gqlOk(stack.url, '{ approvalQueue { nodes { id } } }', {}, finance[1]!.token);
    expect(queue.approvalQueue.nodes.map((n: { id: string }) => n.id)).not.toContain(pending.id);
  });

  it('denies: DENIED, no receipt', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    const result = await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'DENY', comment: 'Not budgeted' } }, finance[2]!.token);
    expect(result.decide).toMatchObject({ status: 'DENIED', statusReason: 'DENIED_BY_APPROVER', receipt: null, approvedPayload: null });
  });

  it('requests changes with a comment and a suggestion; the agent resubmits a revision that links back', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    expect(errorCode(await decide(finance[3]!.token, { actionId: pending.id, verdict: 'REQUEST_CHANGES' }))).toBe('BAD_USER_INPUT');
    const suggestion = { ...INPUTS.sync.payload, amount: 20000 };
    const changed = await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'REQUEST_CHANGES', comment: 'Pay 20k now, the rest next month', modifiedPayload: suggestion } }, finance[3]!.token);
    expect(changed.decide).toMatchObject({ status: 'CHANGES_REQUESTED', decisions: [{ verdict: 'REQUEST_CHANGES', comment: 'Pay 20k now, the rest next month', modifiedPayload: suggestion }] });

    const revision = await submit(stack, agent.apiKey, { ...INPUTS.sync, amount: { value: 20000, currency: 'USD' }, payload: suggestion, revisionOf: pending.id });
    expect(revision.revisionOf).toEqual({ id: pending.id, status: 'CHANGES_REQUESTED' });
    const again = await gql(stack.url, 'mutation($input: ActionInput!) { submitAction(input: $input) { id } }', { input: { ...INPUTS.sync, revisionOf: revision.id } }, agent.apiKey);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
  });

  it('approves with a modified payload: the agent must use it, and the receipt binds it', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    const modified = { to: 'ACME-IBAN', amount: 24000, currency: 'USD', memo: 'minus early-payment discount' };
    const approved = (await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE', modifiedPayload: modified } }, finance[4]!.token)).decide;
    expect(approved.approvedPayload).toEqual(modified);
    expect(approved.payload).toEqual(INPUTS.sync.payload);
    const keys = createLocalJWKSet((await (await fetch(new URL('/.well-known/jwks.json', stack.url))).json()) as JSONWebKeySet);
    const { payload: claims } = await jwtVerify(approved.receipt, keys);
    const canonical = '{"amount":24000,"currency":"USD","memo":"minus early-payment discount","to":"ACME-IBAN"}';
    expect(claims.pld).toBe(createHash('sha256').update(canonical).digest('base64url'));
  });

  it('needs two distinct people for a two-person rule, and refuses the same person twice', async () => {
    const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, amount: { value: 2_000_000, currency: 'USD' } });
    expect(pending.requiredApprovals).toBe(2);
    const first = (await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, finance[5]!.token)).decide;
    expect(first).toMatchObject({ status: 'PENDING', receipt: null });
    expect(errorCode(await decide(finance[5]!.token, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('CONFLICT');
    const second = (await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, finance[6]!.token)).decide;
    expect(second.status).toBe('APPROVED');
    expect(second.decisions.map((d: { approver: { id: string } }) => d.approver.id)).toEqual([finance[5]!.id, finance[6]!.id]);
  });

  it('counts both votes of a two-person rule cast at the same moment: the second sees the first', async () => {
    // Each vote waits on the request's lock; the one that waits must count the vote that
    // committed meanwhile, or the request would stay PENDING with two approvals.
    for (let round = 0; round < 5; round++) {
      const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, amount: { value: 2_000_000, currency: 'USD' } });
      const [a, b] = await Promise.all([finance[2]!, finance[3]!].map((f) => gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'APPROVE' } }, f.token)));
      expect([a.decide.status, b.decide.status].sort()).toEqual(['APPROVED', 'PENDING']);
      const stored = (await gqlOk(stack.url, GET_ACTION, { id: pending.id }, stack.adminToken)).action;
      expect(stored.status).toBe('APPROVED');
      expect(stored.receipt).toEqual(expect.any(String));
      expect(stored.decisions).toHaveLength(2);
    }
  });

  it("bars an agent's owner from approving its requests (separation of duties)", async () => {
    const pending = await submit(stack, owned.apiKey, INPUTS.sync);
    expect(pending.assignees.map((a: { approver: { id: string } }) => a.approver.id)).not.toContain(owner.id);
    expect(errorCode(await decide(owner.token, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('FORBIDDEN');
  });

  it('refuses outsiders and agents', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    expect(errorCode(await decide(outsider.token, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('FORBIDDEN');
    expect(errorCode(await decide(agent.apiKey, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('FORBIDDEN');
    expect(errorCode(await decide(stack.adminToken, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('FORBIDDEN');
    expect((await gqlOk(stack.url, GET_ACTION, { id: pending.id }, stack.adminToken)).action.status).toBe('PENDING');
  });

  it('answers CONFLICT for a request that is no longer pending', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    await gqlOk(stack.url, DECIDE, { input: { actionId: pending.id, verdict: 'DENY' } }, finance[7]!.token);
    expect(errorCode(await decide(finance[8]!.token, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('CONFLICT');
  });

  it('lets exactly one of ten parallel decisions win, and the audit chain shows one decision', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    const results = await Promise.all(finance.map((f, i) => decide(f.token, { actionId: pending.id, verdict: i % 2 ? 'APPROVE' : 'DENY' })));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.errors)) expect(errorCode(loser)).toBe('CONFLICT');
    const trail = (await gqlOk(stack.url, GET_ACTION, { id: pending.id }, stack.adminToken)).action.auditTrail;
    expect(trail.filter((e: { kind: string }) => e.kind === 'ACTION_DECIDED')).toHaveLength(1);
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid } }', {}, stack.adminToken)).verifyAuditChain.valid).toBe(true);
  });

  it('lets the agent cancel a pending request (not a decided one) and report the outcome of an approved one, once', async () => {
    const pending = await submit(stack, agent.apiKey, INPUTS.sync);
    const cancelled = await gqlOk(stack.url, 'mutation($id: ID!) { cancelAction(id: $id, reason: "user changed their mind") { status statusReason assignees { level } } }', { id: pending.id }, agent.apiKey);
    expect(cancelled.cancelAction).toEqual({ status: 'CANCELLED', statusReason: 'CANCELLED_BY_AGENT', assignees: [] });
    expect(errorCode(await decide(finance[9]!.token, { actionId: pending.id, verdict: 'APPROVE' }))).toBe('CONFLICT');
    expect(errorCode(await gql(stack.url, 'mutation($id: ID!) { cancelAction(id: $id) { status } }', { id: pending.id }, agent.apiKey))).toBe('CONFLICT');

    const auto = await submit(stack, agent.apiKey, INPUTS.auto);
    const report = 'mutation($id: ID!, $input: OutcomeInput!) { reportOutcome(id: $id, input: $input) { outcome { status detail result } } }';
    const done = await gqlOk(stack.url, report, { id: auto.id, input: { status: 'SUCCEEDED', detail: 'read 42 rows', result: { rows: 42 } } }, agent.apiKey);
    expect(done.reportOutcome.outcome).toEqual({ status: 'SUCCEEDED', detail: 'read 42 rows', result: { rows: 42 } });
    expect(errorCode(await gql(stack.url, report, { id: auto.id, input: { status: 'FAILED' } }, agent.apiKey))).toBe('CONFLICT');
    const other = await createAgent(stack, 'someone-else');
    expect(errorCode(await gql(stack.url, report, { id: auto.id, input: { status: 'FAILED' } }, other.apiKey))).toBe('NOT_FOUND');
  });
});
