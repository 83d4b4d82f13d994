import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk, type GraphQLResult } from './support/graphql.js';
import { DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

type Person = { id: string; name: string; token: string };

const DELEGATION_FIELDS = 'id from { id name } to { id name } startsAt endsAt roles actionTypes reason createdAt revokedAt active';
const CREATE = `mutation($input: DelegationInput!) { createDelegation(input: $input) { ${DELEGATION_FIELDS} } }`;
const REVOKE = `mutation($id: ID!) { revokeDelegation(id: $id) { ${DELEGATION_FIELDS} } }`;
const LIST = `query($first: Int, $after: String, $approverId: ID, $active: Boolean) {
  delegations(first: $first, after: $after, approverId: $approverId, active: $active) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${DELEGATION_FIELDS} }
  }
}`;

/**
 * Each scenario gets its own desk: a chain whose only level is the role `desk-<name>`,
 * routed from action types `desk-<name>.*`. Scenarios share one server but never each
 * other's approvers or requests, so a delegation in one cannot move work in another.
 */
const DESKS = ['upfront', 'pending', 'scheduled', 'ending', 'revoked', 'scoped', 'cycle', 'owner', 'quorum'] as const;
type Desk = (typeof DESKS)[number];

function deskGovernance(): string {
  const quorum = (d: Desk) => (d === 'quorum' ? ', requiredApprovals: 2' : '');
  const chains = DESKS.map((d) => `  - name: desk-${d}\n    levels:\n      - { approvers: { role: desk-${d} }, timeout: 1h${quorum(d)} }\n`).join('');
  const routes = DESKS.map((d) => `  - { name: desk-${d}, priority: 20, when: 'action.type.startsWith("desk-${d}.")', chain: desk-${d} }\n`).join('');
  return governanceYaml().replace('escalationChains:\n', `escalationChains:\n${chains}`).replace('routes:\n', `routes:\n${routes}`);
}

describe('delegation: someone decides in an approver’s place, and nothing waits on someone away', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let agent: { id: string; apiKey: string };

  beforeAll(async () => {
    stack = await startStack();
    agent = await createAgent(stack, 'desk-agent');
    expect((await apply(stack, deskGovernance())).applied).toBe(true);
  });
  afterAll(() => stack?.dispose());

  /** A request that waits for a human at `desk` (the high-risk profile, routed to the desk). */
  async function pendingAt(desk: Desk, apiKey = agent.apiKey) {
    const action = await submit(stack, apiKey, { ...INPUTS.sync, type: `desk-${desk}.transfer` });
    expect(action).toMatchObject({ status: 'PENDING', chain: `desk-${desk}`, escalationLevel: 1 });
    return action;
  }

  const delegate = (token: string, input: Record<string, unknown>) => gql(stack.url, CREATE, { input }, token);
  const delegateOk = async (token: string, input: Record<string, unknown>) => (await gqlOk(stack.url, CREATE, { input }, token)).createDelegation;
  const revoke = (token: string, id: string) => gql(stack.url, REVOKE, { id }, token);
  const decideAs = (who: Person, actionId: string) => gql(stack.url, DECIDE, { input: { actionId, verdict: 'APPROVE' } }, who.token);
  const read = async (id: string) => (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action;
  const queueOf = async (who: Person): Promise<string[]> =>
    (await gqlOk(stack.url, '{ approvalQueue { nodes { id } } }', {}, who.token)).approvalQueue.nodes.map((n: { id: string }) => n.id);
  const assigneeChanges = (action: { auditTrail: { kind: string; data: { cause: string } & Record<string, unknown> }[] }) => action.auditTrail.filter((e) => e.kind === 'ASSIGNEES_CHANGED');

  /** An assignee as `ActionRequest.assignees` shows it. */
  const held = (by: Person, onBehalfOf: Person | null, desk: Desk) => ({
    approver: { id: by.id, name: by.name },
    onBehalfOf: onBehalfOf && { id: onBehalfOf.id, name: onBehalfOf.name },
    viaRole: `desk-${desk}`,
    level: 1,
  });

  /** An assignee as the ASSIGNEES_CHANGED audit event records it. */
  const recorded = (by: Person, onBehalfOf: Person | null, desk: Desk) => ({ approverId: by.id, onBehalfOf: onBehalfOf?.id ?? null, viaRole: `desk-${desk}` });

  const fieldAtFault = (result: GraphQLResult) => ({ code: errorCode(result), field: result.errors?.[0]?.extensions?.field });

  it('assigns the delegate when the delegation is in force at submission, and the decision records both people', async () => {
    const alice = await createApprover(stack, 'upfront-alice', ['desk-upfront']);
    const bob = await createApprover(stack, 'upfront-bob');
    const delegation = await delegateOk(alice.token, { toApproverId: bob.id, reason: 'On leave this week' });
    expect(delegation).toMatchObject({
      from: { id: alice.id, name: alice.name }, to: { id: bob.id, name: bob.name },
      active: true, revokedAt: null, endsAt: null, roles: null, actionTypes: null, reason: 'On leave this week',
    });

    const action = await pendingAt('upfront');
    expect(action.assignees).toEqual([held(bob, alice, 'upfront')]);
    expect(await queueOf(bob)).toContain(action.id);
    expect(await queueOf(alice)).not.toContain(action.id);
    expect(errorCode(await decideAs(alice, action.id))).toBe('FORBIDDEN');

    const decided = (await gqlOk(stack.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, bob.token)).decide;
    expect(decided.status).toBe('APPROVED');
    expect(decided.decisions).toEqual([
      expect.objectContaining({ verdict: 'APPROVE', approver: { id: bob.id, name: bob.name }, onBehalfOf: { id: alice.id, name: alice.name } }),
    ]);
  });

  it('moves a request already pending to the delegate the moment a delegation starts', async () => {
    const alice = await createApprover(stack, 'pending-alice', ['desk-pending']);
    const bob = await createApprover(stack, 'pending-bob');
    const action = await pendingAt('pending');
    expect(action.assignees).toEqual([held(alice, null, 'pending')]);

    const delegation = await delegateOk(alice.token, { toApproverId: bob.id });
    expect(await queueOf(bob)).toContain(action.id);
    expect(await queueOf(alice)).not.toContain(action.id);
    const moved = await read(action.id);
    expect(moved.assignees).toEqual([held(bob, alice, 'pending')]);
    expect(assigneeChanges(moved)).toEqual([expect.objectContaining({
      actorType: 'APPROVER', actorId: alice.id,
      data: {
        cause: 'DELEGATION_STARTED', delegationId: delegation.id, level: 1,
        ended: [recorded(alice, null, 'pending')], started: [recorded(bob, alice, 'pending')], gained: [bob.id], lost: [alice.id],
      },
    })]);

    const decided = (await gqlOk(stack.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, bob.token)).decide;
    expect(decided).toMatchObject({ status: 'APPROVED', decisions: [{ approver: { id: bob.id }, onBehalfOf: { id: alice.id } }] });
  });

  it('moves a pending request when a delegation scheduled a moment ahead starts (its timer fires)', async () => {
    const alice = await createApprover(stack, 'scheduled-alice', ['desk-scheduled']);
    const bob = await createApprover(stack, 'scheduled-bob');
    const action = await pendingAt('scheduled');

    const delegation = await delegateOk(alice.token, { toApproverId: bob.id, startsAt: new Date(Date.now() + 2000).toISOString() });
    await waitFor(async () => (await queueOf(bob)).includes(action.id), { what: "the request in the delegate's queue" });
    const moved = await read(action.id);
    expect(moved.assignees).toEqual([held(bob, alice, 'scheduled')]);
    expect(assigneeChanges(moved)).toEqual([expect.objectContaining({
      actorType: 'SYSTEM', actorId: null,
      data: expect.objectContaining({ cause: 'DELEGATION_STARTED', delegationId: delegation.id, started: [recorded(bob, alice, 'scheduled')] }),
    })]);
    expect(await queueOf(alice)).not.toContain(action.id);

    const decided = (await gqlOk(stack.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, bob.token)).decide;
    expect(decided).toMatchObject({ status: 'APPROVED', decisions: [{ approver: { id: bob.id }, onBehalfOf: { id: alice.id } }] });
  });

  it('hands a pending request back when the delegation ends (its timer fires)', async () => {
    const alice = await createApprover(stack, 'ending-alice', ['desk-ending']);
    const bob = await createApprover(stack, 'ending-bob');
    const action = await pendingAt('ending');

    await delegateOk(alice.token, { toApproverId: bob.id, endsAt: new Date(Date.now() + 3000).toISOString() });
    await waitFor(async () => assigneeChanges(await read(action.id)).some((e: { data: { cause: string } }) => e.data.cause === 'DELEGATION_ENDED'), {
      what: 'the request handed back when the delegation ends',
    });
    // Read again: the response that first shows the event may have read the assignees (one
    // statement) just before the boundary committed and the audit trail (another) just after.
    const back = await read(action.id);
    expect(back.assignees).toEqual([held(alice, null, 'ending')]);
    expect(assigneeChanges(back).map((e: { data: unknown }) => e.data)).toEqual([
      expect.objectContaining({ cause: 'DELEGATION_STARTED', started: [recorded(bob, alice, 'ending')] }),
      expect.objectContaining({ cause: 'DELEGATION_ENDED', ended: [recorded(bob, alice, 'ending')], started: [recorded(alice, null, 'ending')], gained: [alice.id], lost: [bob.id] }),
    ]);
    expect(await queueOf(bob)).not.toContain(action.id);
    expect((await decideAs(alice, action.id)).data?.decide.status).toBe('APPROVED');
  });

  it('hands a pending request back when the delegation is revoked, by the delegator or by a delegate declining it', async () => {
    const alice = await createApprover(stack, 'revoked-alice', ['desk-revoked']);
    const bob = await createApprover(stack, 'revoked-bob');
    const carol = await createApprover(stack, 'revoked-carol');
    const action = await pendingAt('revoked');

    const first = await delegateOk(alice.token, { toApproverId: bob.id });
    expect((await read(action.id)).assignees).toEqual([held(bob, alice, 'revoked')]);
    const revoked = (await gqlOk(stack.url, REVOKE, { id: first.id }, alice.token)).revokeDelegation;
    expect(revoked).toMatchObject({ id: first.id, active: false, revokedAt: expect.any(String) });
    expect((await read(action.id)).assignees).toEqual([held(alice, null, 'revoked')]);
    expect(await queueOf(bob)).not.toContain(action.id);
    expect(errorCode(await decideAs(bob, action.id))).toBe('FORBIDDEN');
    expect(errorCode(await revoke(alice.token, first.id))).toBe('CONFLICT');
    expect(errorCode(await revoke(carol.token, first.id))).toBe('NOT_FOUND');

    const second = await delegateOk(alice.token, { toApproverId: bob.id });
    expect((await read(action.id)).assignees).toEqual([held(bob, alice, 'revoked')]);
    await gqlOk(stack.url, REVOKE, { id: second.id }, bob.token);
    const back = await read(action.id);
    expect(back.assignees).toEqual([held(alice, null, 'revoked')]);
    expect(assigneeChanges(back).map((e: { data: { cause: string } }) => e.data.cause)).toEqual([
      'DELEGATION_STARTED', 'DELEGATION_REVOKED', 'DELEGATION_STARTED', 'DELEGATION_REVOKED',
    ]);

    const log = await gqlOk(stack.url, 'query($f: AuditFilter) { auditLog(filter: $f) { nodes { kind actorType actorId } } }', { f: { subjectId: second.id } }, stack.adminToken);
    expect(log.auditLog.nodes.map((e: { kind: string; actorId: string }) => [e.kind, e.actorId])).toEqual(
      expect.arrayContaining([['DELEGATION_CREATED', alice.id], ['DELEGATION_REVOKED', bob.id]]),
    );
    expect((await decideAs(alice, action.id)).data?.decide.status).toBe('APPROVED');
  });

  it('leaves a request with the approver when a scoped delegation does not cover it, and moves it when one does', async () => {
    const alice = await createApprover(stack, 'scoped-alice', ['desk-scoped']);
    const bob = await createApprover(stack, 'scoped-bob');
    await delegateOk(alice.token, { toApproverId: bob.id, roles: ['desk-other'] });
    await delegateOk(alice.token, { toApproverId: bob.id, actionTypes: ['payments.*'] });

    const action = await pendingAt('scoped');
    expect(action.assignees).toEqual([held(alice, null, 'scoped')]);

    const covering = await delegateOk(alice.token, { toApproverId: bob.id, roles: ['desk-scoped'], actionTypes: ['desk-scoped.*'] });
    expect(covering).toMatchObject({ roles: ['desk-scoped'], actionTypes: ['desk-scoped.*'] });
    expect((await read(action.id)).assignees).toEqual([held(bob, alice, 'scoped')]);
  });

  it('falls back to the original approver when delegations go round in a circle', async () => {
    const alice = await createApprover(stack, 'cycle-alice', ['desk-cycle']);
    const bob = await createApprover(stack, 'cycle-bob');
    const action = await pendingAt('cycle');

    await delegateOk(alice.token, { toApproverId: bob.id });
    expect((await read(action.id)).assignees).toEqual([held(bob, alice, 'cycle')]);
    // An admin closes the circle: bob hands back to alice.
    await delegateOk(stack.adminToken, { fromApproverId: bob.id, toApproverId: alice.id });
    expect((await read(action.id)).assignees).toEqual([held(alice, null, 'cycle')]);
    expect((await pendingAt('cycle')).assignees).toEqual([held(alice, null, 'cycle')]);

    const decided = (await gqlOk(stack.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, alice.token)).decide;
    expect(decided).toMatchObject({ status: 'APPROVED', decisions: [{ approver: { id: alice.id }, onBehalfOf: null }] });
  });

  it("never hands a request to the owner of its agent (separation of duties), not even as a delegate", async () => {
    const alice = await createApprover(stack, 'owner-alice', ['desk-owner']);
    const olivia = await createApprover(stack, 'owner-olivia');
    const owned = await createAgent(stack, 'olivias-agent', { ownerId: olivia.id });
    const action = await pendingAt('owner', owned.apiKey);

    await delegateOk(alice.token, { toApproverId: olivia.id });
    expect((await read(action.id)).assignees).toEqual([held(alice, null, 'owner')]);
    expect(await queueOf(olivia)).not.toContain(action.id);
    // Other agents' requests do go to her.
    expect((await pendingAt('owner')).assignees).toEqual([held(olivia, alice, 'owner')]);
  });

  it('keeps a counted vote counted: a delegation never hands a voter\'s seat, or a vote to someone who already voted', async () => {
    const alice = await createApprover(stack, 'quorum-alice', ['desk-quorum']);
    const amy = await createApprover(stack, 'quorum-amy', ['desk-quorum']);
    const bob = await createApprover(stack, 'quorum-bob');
    const action = await pendingAt('quorum');
    expect(action.requiredApprovals).toBe(2);
    expect((await decideAs(alice, action.id)).data?.decide.status).toBe('PENDING');

    // Alice has voted: her delegate gets nothing to decide on her behalf.
    await delegateOk(alice.token, { toApproverId: bob.id });
    expect((await read(action.id)).assignees).toEqual([held(amy, null, 'quorum')]);
    expect(await queueOf(bob)).not.toContain(action.id);
    // Amy delegating to alice, who voted, cannot turn amy's vote into a second one of alice's.
    await delegateOk(amy.token, { toApproverId: alice.id });
    expect((await read(action.id)).assignees).toEqual([held(amy, null, 'quorum')]);
    // Amy delegating to bob does hand her seat over.
    await delegateOk(amy.token, { toApproverId: bob.id });
    expect((await read(action.id)).assignees).toEqual([held(bob, amy, 'quorum')]);

    const decided = (await decideAs(bob, action.id)).data?.decide;
    expect(decided.status).toBe('APPROVED');
    expect(decided.decisions.map((d: { approver: { id: string }; onBehalfOf: { id: string } | null }) => [d.approver.id, d.onBehalfOf?.id ?? null])).toEqual([
      [alice.id, null], [bob.id, amy.id],
    ]);
  });

  it('refuses a delegation for someone else unless an admin asks, and names the field at fault', async () => {
    const alice = await createApprover(stack, 'rules-alice');
    const bob = await createApprover(stack, 'rules-bob');
    const away = await createApprover(stack, 'rules-away');
    await gqlOk(stack.url, 'mutation($id: ID!) { updateApprover(id: $id, input: { active: false }) { active } }', { id: away.id }, stack.adminToken);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();

    expect(errorCode(await delegate(bob.token, { fromApproverId: alice.id, toApproverId: bob.id }))).toBe('FORBIDDEN');
    expect(errorCode(await delegate(agent.apiKey, { toApproverId: bob.id }))).toBe('FORBIDDEN');

    expect(fieldAtFault(await delegate(alice.token, { toApproverId: alice.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toApproverId' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: unknown }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toApproverId' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: 'bob' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toApproverId' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: away.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'toApproverId' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: bob.id, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' })))
      .toEqual({ code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: bob.id, startsAt: anHourAgo, endsAt: aMinuteAgo })))
      .toEqual({ code: 'BAD_USER_INPUT', field: 'endsAt' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: bob.id, roles: ['finance', 'not a role'] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'roles[1]' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: bob.id, actionTypes: [] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'actionTypes' });
    expect(fieldAtFault(await delegate(alice.token, { toApproverId: bob.id, actionTypes: ['Payments'] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'actionTypes[0]' });
    expect(fieldAtFault(await delegate(stack.adminToken, { toApproverId: bob.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'fromApproverId' });
    expect(fieldAtFault(await delegate(stack.adminToken, { fromApproverId: unknown, toApproverId: bob.id }))).toEqual({ code: 'BAD_USER_INPUT', field: 'fromApproverId' });

    // Naming yourself is the same as not naming anyone; an admin may delegate for anyone.
    expect(await delegateOk(alice.token, { fromApproverId: alice.id, toApproverId: bob.id })).toMatchObject({ from: { id: alice.id } });
    expect(await delegateOk(stack.adminToken, { fromApproverId: bob.id, toApproverId: alice.id })).toMatchObject({ from: { id: bob.id }, to: { id: alice.id } });
  });

  it('lists delegations: approvers see those from or to them, admins all, filtered by person and by being in force, paged', async () => {
    const ann = await createApprover(stack, 'list-ann');
    const ben = await createApprover(stack, 'list-ben');
    const cat = await createApprover(stack, 'list-cat');
    const inForce = await delegateOk(stack.adminToken, { fromApproverId: ann.id, toApproverId: ben.id });
    const scheduled = await delegateOk(stack.adminToken, { fromApproverId: ben.id, toApproverId: cat.id, startsAt: new Date(Date.now() + 86_400_000).toISOString() });
    const revoked = await delegateOk(stack.adminToken, { fromApproverId: cat.id, toApproverId: ann.id });
    await gqlOk(stack.url, REVOKE, { id: revoked.id }, stack.adminToken);

    const list = async (token: string, args: Record<string, unknown> = {}) => (await gqlOk(stack.url, LIST, args, token)).delegations;
    const ids = (page: { nodes: { id: string }[] }) => page.nodes.map((n) => n.id);

    // Newest first; each approver sees only what concerns them.
    expect(ids(await list(ben.token))).toEqual([scheduled.id, inForce.id]);
    expect(ids(await list(ann.token))).toEqual([revoked.id, inForce.id]);
    expect((await list(ann.token)).totalCount).toBe(2);
    expect(ids(await list(ann.token, { approverId: ben.id }))).toEqual([inForce.id]);

    expect(ids(await list(stack.adminToken, { approverId: ben.id }))).toEqual([scheduled.id, inForce.id]);
    expect(ids(await list(stack.adminToken, { approverId: ben.id, active: true }))).toEqual([inForce.id]);
    expect(ids(await list(stack.adminToken, { approverId: cat.id, active: false }))).toEqual([revoked.id, scheduled.id]);
    expect((await list(stack.adminToken, { approverId: cat.id })).nodes.map((n: { active: boolean }) => n.active)).toEqual([false, false]);

    const first = await list(stack.adminToken, { approverId: ann.id, first: 1 });
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ id: revoked.id }] });
    const second = await list(stack.adminToken, { approverId: ann.id, first: 1, after: first.pageInfo.endCursor });
    expect(second).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [{ id: inForce.id }] });

    expect(errorCode(await gql(stack.url, LIST, {}, agent.apiKey))).toBe('FORBIDDEN');
    expect(fieldAtFault(await gql(stack.url, LIST, { approverId: 'ann' }, stack.adminToken))).toEqual({ code: 'BAD_USER_INPUT', field: 'approverId' });

    // Everything above appended to one intact audit chain.
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid } }', {}, stack.adminToken)).verifyAuditChain.valid).toBe(true);
  });
});
