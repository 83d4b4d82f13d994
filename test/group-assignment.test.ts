import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

type Person = { id: string; name: string; token: string };
type Assignee = { approver: { id: string; name: string }; onBehalfOf: { id: string; name: string } | null; viaRole: string | null; level: number };

const QUEUE = `query($first: Int, $after: String) { approvalQueue(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id deadline } } }`;
const ASSIGNEES = 'query($id: ID!) { action(id: $id) { status escalationLevel assignees { approver { id name } onBehalfOf { id name } viaRole level } } }';

/**
 * A level that reaches many people the same way is stored as one group assignment of an
 * approver set (COUNTERSIGN_GROUP_ASSIGNMENT_FROM; 3 here, 16 by default) instead of a row
 * per person. Everything a user sees must be what the rows gave: who is assigned (fixed
 * when assigned), queues, decisions, quorums, owners, delegations, escalation, the audit.
 */
describe('group assignments: a role stored once, assigned as before', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let plain: { id: string; apiKey: string };
  let owned: { id: string; apiKey: string };
  let desk: Person[];
  let leads: Person[];
  let outsider: Person;

  const request = (type: string, summary: string, agent = plain) => submit(stack, agent.apiKey, { ...INPUTS.sync, type, summary });
  const assigneesOf = async (id: string) => (await gqlOk<{ action: { status: string; escalationLevel: number; assignees: Assignee[] } }>(stack.url, ASSIGNEES, { id }, stack.adminToken)).action;
  const names = (assignees: Assignee[]) => assignees.map((a) => (a.onBehalfOf ? `${a.approver.name} for ${a.onBehalfOf.name}` : a.approver.name)).sort();
  /** Every request in the person's approval queue, paging `first` at a time, and the total the first page reported. */
  const queueOf = async (person: Person, first = 50) => {
    const ids: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (;;) {
      const page: { approvalQueue: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string; deadline: string }[] } } =
        await gqlOk(stack.url, QUEUE, { first, after }, person.token);
      if (total < 0) total = page.approvalQueue.totalCount;
      ids.push(...page.approvalQueue.nodes.map((n) => n.id));
      if (!page.approvalQueue.pageInfo.hasNextPage) return { ids, total };
      after = page.approvalQueue.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    stack = await startStack({ COUNTERSIGN_GROUP_ASSIGNMENT_FROM: '3', COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE: 'true' });
    desk = [];
    for (let i = 0; i < 5; i++) desk.push(await createApprover(stack, `desk-${i}`, ['desk']));
    leads = [];
    for (let i = 0; i < 3; i++) leads.push(await createApprover(stack, `lead-${i}`, ['lead']));
    outsider = await createApprover(stack, 'outsider', ['side']);
    plain = await createAgent(stack, 'plain-agent');
    owned = await createAgent(stack, 'owned-agent', { ownerId: desk[4]!.id });
    const chains =
      '  - name: desk\n    levels:\n      - { approvers: { role: desk }, timeout: 1h }\n' +
      '  - name: quorum\n    levels:\n      - { approvers: { role: desk }, timeout: 1h, requiredApprovals: 2 }\n' +
      '  - name: escalating\n    levels:\n      - { approvers: { role: desk }, timeout: 2s }\n      - { approvers: { role: lead }, timeout: 1h }\n' +
      '  - name: named\n    levels:\n      - { approvers: { names: [desk-0] }, timeout: 30m }\n' +
      '  - name: warned\n    levels:\n      - { approvers: { role: desk }, timeout: 3s, requiredApprovals: 2 }\n      - { approvers: { role: lead }, timeout: 1h }\n';
    const routes =
      `  - { name: desk, priority: 20, when: 'action.type.startsWith("desk.")', chain: desk }\n` +
      `  - { name: quorum, priority: 20, when: 'action.type.startsWith("quorum.")', chain: quorum }\n` +
      `  - { name: escalating, priority: 20, when: 'action.type.startsWith("esc.")', chain: escalating }\n` +
      `  - { name: named, priority: 20, when: 'action.type.startsWith("named.")', chain: named }\n` +
      `  - { name: warned, priority: 20, when: 'action.type.startsWith("warned.")', chain: warned }\n`;
    expect((await apply(stack, governanceYaml().replace('escalationChains:\n', `escalationChains:\n${chains}`).replace('routes:\n', `routes:\n${routes}`))).applied).toBe(true);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('stores the role’s holders once and each request with one row, names every holder as assigned, and records the set in the audit chain once', async () => {
    const first = await request('desk.pay', 'First');
    const second = await request('desk.pay', 'Second');
    expect(first.status).toBe('PENDING');
    // What the API shows is every holder, one by one, as a row per person showed them.
    expect(names(first.assignees)).toEqual(desk.map((p) => p.name).sort());
    expect(first.assignees.every((a: Assignee) => a.viaRole === 'desk' && a.level === 1 && a.onBehalfOf === null)).toBe(true);

    // Stored: no row per person; one group assignment per request, both of the same set.
    const rows = await stack.database.query('select 1 from "assignment" where "action_id" = any($1)', [[first.id, second.id]]);
    expect(rows).toEqual([]);
    const groups = await stack.database.query<{ action_id: string; set_id: string; via_role: string; active: boolean }>(
      'select "action_id", "set_id", "via_role", "active" from "group_assignment" where "action_id" = any($1)', [[first.id, second.id]]);
    expect(groups).toHaveLength(2);
    expect(new Set(groups.map((g) => g.set_id)).size).toBe(1);
    const setId = groups[0]!.set_id;
    const [set] = await stack.database.query<{ member_ids: string[]; size: number }>('select "member_ids", "size" from "approver_set" where "id" = $1', [setId]);
    expect(set!.member_ids.sort()).toEqual(desk.map((p) => p.id).sort());
    expect(set!.size).toBe(5);

    // The audit names the set; the set's members are in the chain once, before the first request that refers to it.
    const trail = (await gqlOk(stack.url, GET_ACTION, { id: first.id }, stack.adminToken)).action.auditTrail as { seq: number; kind: string; data: Record<string, unknown> }[];
    const assigned = trail.find((e) => e.kind === 'ACTION_ASSIGNED')!;
    expect(assigned.data).toMatchObject({ chain: 'desk', level: 1, kind: 'APPROVAL', assignees: [], groups: [{ viaRole: 'desk', set: setId, size: 5 }] });
    // An auditor finds who the set is through the API's audit log.
    const log = await gqlOk<{ auditLog: { nodes: { seq: number; kind: string; subjectType: string; data: { size: number; members: string[] } }[] } }>(
      stack.url, 'query($filter: AuditFilter) { auditLog(first: 10, filter: $filter) { nodes { seq kind subjectType data } } }',
      { filter: { subjectId: setId, kind: ['APPROVER_SET_RECORDED'] } }, stack.adminToken);
    const recorded = log.auditLog.nodes;
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.subjectType).toBe('APPROVER_SET');
    expect(recorded[0]!.data).toEqual({ size: 5, members: desk.map((p) => p.id).sort() });
    expect(recorded[0]!.seq).toBeLessThan(assigned.seq);
    expect((await gqlOk(stack.url, '{ verifyAuditChain { valid brokenAt } }', {}, stack.adminToken)).verifyAuditChain).toEqual({ valid: true, brokenAt: null });

    // Every holder has both in their queue, and nobody else does.
    for (const person of desk) expect((await queueOf(person)).ids).toEqual(expect.arrayContaining([first.id, second.id]));
    expect((await queueOf(leads[0]!)).ids).not.toContain(first.id);
  });

  it('keeps the agent’s owner out: a different set, and the owner can neither see it queued nor approve it', async () => {
    const mine = await request('desk.pay', 'Owned', owned);
    expect(names(mine.assignees)).toEqual(desk.slice(0, 4).map((p) => p.name).sort());
    expect((await queueOf(desk[4]!)).ids).not.toContain(mine.id);
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: mine.id, verdict: 'APPROVE' } }, desk[4]!.token))).toBe('FORBIDDEN');
    const sets = await stack.database.query<{ set_id: string }>('select distinct "set_id" from "group_assignment"');
    expect(sets.length).toBeGreaterThanOrEqual(2);
  });

  it('takes a voter out of the group towards a quorum, keeps everyone else, and ends it for all at the quorum', async () => {
    const r = await request('quorum.pay', 'Needs two');
    expect(r.requiredApprovals).toBe(2);
    const [a, b, c] = desk;
    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, a!.token)).decide.status).toBe('PENDING');
    // The voter's part ends (recorded as their own inactive row); the others still hold it.
    expect(names((await assigneesOf(r.id)).assignees)).toEqual(desk.slice(1).map((p) => p.name).sort());
    expect((await queueOf(a!)).ids).not.toContain(r.id);
    expect((await queueOf(b!)).ids).toContain(r.id);
    const ended = await stack.database.query<{ approver_id: string; active: boolean; group_id: string | null; via_role: string }>(
      'select "approver_id", "active", "group_id", "via_role" from "assignment" where "action_id" = $1', [r.id]);
    expect(ended).toEqual([{ approver_id: a!.id, active: false, group_id: expect.any(String), via_role: 'desk' }]);
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, a!.token))).toBe('CONFLICT');

    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, b!.token)).decide.status).toBe('APPROVED');
    expect((await assigneesOf(r.id)).assignees).toEqual([]);
    for (const person of desk) expect((await queueOf(person)).ids).not.toContain(r.id);
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'DENY' } }, c!.token))).toBe('CONFLICT');
    // Who decided can still read it; so can a holder who did not.
    expect((await gql(stack.url, ASSIGNEES, { id: r.id }, c!.token)).data?.action.status).toBe('APPROVED');
  });

  it('moves one member’s part to their delegate and back, leaving the rest of the group alone', async () => {
    const r = await request('desk.pay', 'Delegated part');
    const away = desk[3]!;
    const delegation = (await gqlOk(stack.url, 'mutation($input: DelegationInput!) { createDelegation(input: $input) { id } }', { input: { toApproverId: outsider.id, reason: 'Away' } }, away.token)).createDelegation;
    const during = await waitFor(async () => {
      const now = await assigneesOf(r.id);
      return names(now.assignees).includes('outsider for desk-3') ? now : undefined;
    }, { what: 'the delegate to hold desk-3’s part' });
    expect(names(during.assignees)).toEqual(['desk-0', 'desk-1', 'desk-2', 'desk-4', 'outsider for desk-3']);
    expect((await queueOf(away)).ids).not.toContain(r.id);
    expect((await queueOf(outsider)).ids).toContain(r.id);

    await gqlOk(stack.url, 'mutation($id: ID!) { revokeDelegation(id: $id) { id } }', { id: delegation.id }, away.token);
    const after = await waitFor(async () => {
      const now = await assigneesOf(r.id);
      return names(now.assignees).includes('desk-3') ? now : undefined;
    }, { what: 'desk-3 to hold their part again' });
    expect(names(after.assignees)).toEqual(desk.map((p) => p.name).sort());
    // The audit names the one member whose part moved each time, not the whole group.
    const trail = (await gqlOk<{ action: { auditTrail: { kind: string; data: unknown }[] } }>(
      stack.url, 'query($id: ID!) { action(id: $id) { auditTrail { kind data } } }', { id: r.id }, stack.adminToken,
    )).action.auditTrail;
    expect(trail.filter((e) => e.kind === 'ASSIGNEES_CHANGED').map((e) => e.data)).toEqual([
      expect.objectContaining({
        cause: 'DELEGATION_STARTED', gained: [outsider.id], lost: [away.id],
        ended: [expect.objectContaining({ approverId: away.id, onBehalfOf: null })], started: [expect.objectContaining({ approverId: outsider.id, onBehalfOf: away.id })],
      }),
      expect.objectContaining({
        cause: 'DELEGATION_REVOKED', gained: [away.id], lost: [outsider.id],
        ended: [expect.objectContaining({ approverId: outsider.id, onBehalfOf: away.id })], started: [expect.objectContaining({ approverId: away.id, onBehalfOf: null })],
      }),
    ]);
    expect((await queueOf(outsider)).ids).not.toContain(r.id);
    expect((await queueOf(away)).ids).toContain(r.id);
    // The delegate can no longer decide it; desk-3 can.
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, outsider.token))).toBe('FORBIDDEN');
    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'DENY', comment: 'No' } }, away.token)).decide.status).toBe('DENIED');
  });

  it('pages a queue of rows and group assignments together, soonest deadline first, each request once', async () => {
    const named = [await request('named.pay', 'Named 1'), await request('named.pay', 'Named 2')];
    const grouped = [await request('desk.pay', 'Grouped 1'), await request('desk.pay', 'Grouped 2')];
    // desk-0's named requests are rows; the role's are group assignments.
    expect(await stack.database.query('select 1 from "assignment" where "action_id" = $1 and "active"', [named[0]!.id])).toHaveLength(1);

    const whole = await queueOf(desk[0]!);
    const paged = await queueOf(desk[0]!, 2);
    expect(paged.ids).toEqual(whole.ids);
    expect(new Set(whole.ids).size).toBe(whole.ids.length);
    expect(whole.total).toBe(whole.ids.length);
    expect(whole.ids).toEqual(expect.arrayContaining([...named, ...grouped].map((r) => r.id)));
    // Named requests (30 minutes) come before the role's (an hour), in submission order within each.
    const at = (id: string) => whole.ids.indexOf(id);
    expect(at(named[0]!.id)).toBeLessThan(at(named[1]!.id));
    expect(at(named[1]!.id)).toBeLessThan(at(grouped[0]!.id));
    expect(at(grouped[0]!.id)).toBeLessThan(at(grouped[1]!.id));
    const deadlines = await Promise.all(whole.ids.map(async (id) => (await gqlOk(stack.url, 'query($id: ID!) { action(id: $id) { deadline } }', { id }, desk[0]!.token)).action.deadline as string));
    expect(deadlines).toEqual([...deadlines].sort());
  });

  it('escalates the whole group away on timeout and assigns the next level’s role as a group', async () => {
    const r = await request('esc.pay', 'Escalates');
    expect(names(r.assignees)).toEqual(desk.map((p) => p.name).sort());
    const escalated = await waitFor(async () => {
      const now = await assigneesOf(r.id);
      return now.escalationLevel === 2 ? now : undefined;
    }, { what: 'the request to escalate to level 2' });
    expect(names(escalated.assignees)).toEqual(leads.map((p) => p.name).sort());
    expect((await queueOf(desk[0]!)).ids).not.toContain(r.id);
    expect((await queueOf(leads[1]!)).ids).toContain(r.id);
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, desk[1]!.token))).toBe('FORBIDDEN');
    const trail = (await gqlOk(stack.url, GET_ACTION, { id: r.id }, stack.adminToken)).action.auditTrail as { kind: string; data: Record<string, unknown> }[];
    expect(trail.find((e) => e.kind === 'ESCALATED')!.data).toMatchObject({ fromLevel: 1, toLevel: 2, assignees: [], groups: [{ viaRole: 'lead', size: 3 }] });
    const levels = await stack.database.query<{ level: number; active: boolean }>('select "level", "active" from "group_assignment" where "action_id" = $1 order by "level"', [r.id]);
    expect(levels).toEqual([{ level: 1, active: false }, { level: 2, active: true }]);
    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, leads[1]!.token)).decide.status).toBe('APPROVED');
  });

  // Last: it changes who holds the role.
  it('warns those still holding a group’s request before the level times out, and records the group, not each member', async () => {
    // A webhook receiver for the desk role's channel, as an integrator would run one.
    const received: { event: string; action: { id: string }; recipients: { id: string; name: string }[] }[] = [];
    const receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(raw));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/desk`;
    const hook = (await gqlOk(stack.url, 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }', { input: { url, role: 'desk', events: ['ABOUT_TO_EXPIRE'] } }, stack.adminToken)).createWebhook;
    try {
      const r = await request('warned.pay', 'Warned before it times out');
      // desk-1's vote counts towards the two required: their part ends, the others' stays.
      expect((await gqlOk(stack.url, DECIDE, { input: { actionId: r.id, verdict: 'APPROVE' } }, desk[1]!.token)).decide.status).toBe('PENDING');
      const warning = await waitFor(() => received.find((b) => b.event === 'ABOUT_TO_EXPIRE' && b.action.id === r.id), { what: 'the warning before the level times out' });
      expect(warning.recipients.map((p) => p.name).sort()).toEqual(['desk-0', 'desk-2', 'desk-3', 'desk-4']);
      const trail = (await gqlOk<{ action: { auditTrail: { kind: string; data: unknown }[] } }>(
        stack.url, 'query($id: ID!) { action(id: $id) { auditTrail { kind data } } }', { id: r.id }, stack.adminToken,
      )).action.auditTrail;
      expect(trail.find((e) => e.kind === 'ABOUT_TO_EXPIRE')?.data).toEqual({
        level: 1, deadline: expect.any(String), assignees: [],
        groups: [{ viaRole: 'desk', set: expect.any(String), size: 5, excluded: [desk[1]!.id] }],
      });
    } finally {
      await gqlOk(stack.url, 'mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: hook.webhook.id }, stack.adminToken);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('fixes who is assigned when assigned: a holder who joins later does not get it, one who leaves keeps it', async () => {
    const before = await request('desk.pay', 'Before the change');
    const joiner = await createApprover(stack, 'desk-5', ['desk']);
    const leaver = desk[0]!;
    await gqlOk(stack.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id } }', { id: leaver.id, input: { roles: ['elsewhere'] } }, stack.adminToken);

    expect(names((await assigneesOf(before.id)).assignees)).toEqual(desk.map((p) => p.name).sort());
    expect((await queueOf(joiner)).ids).not.toContain(before.id);
    expect(errorCode(await gql(stack.url, DECIDE, { input: { actionId: before.id, verdict: 'APPROVE' } }, joiner.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.url, ASSIGNEES, { id: before.id }, joiner.token))).toBe('NOT_FOUND');
    expect((await queueOf(leaver)).ids).toContain(before.id);

    // A request assigned after the change reaches the role as it is now.
    const after = await request('desk.pay', 'After the change');
    expect(names(after.assignees)).toEqual([...desk.slice(1).map((p) => p.name), 'desk-5'].sort());
    expect((await queueOf(joiner)).ids).toContain(after.id);
    expect((await queueOf(leaver)).ids).not.toContain(after.id);

    expect((await gqlOk(stack.url, DECIDE, { input: { actionId: before.id, verdict: 'APPROVE' } }, leaver.token)).decide.status).toBe('APPROVED');
    for (const person of [...desk, joiner]) expect((await queueOf(person)).ids).not.toContain(before.id);
  });
});
