import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { ACTION_FIELDS, DECIDE, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { countQueries } from './support/query-counter.js';
import { clock, seedAction, seedAssignment, seedAuditEvent, seedDecision, seedDeliveries, seedReview } from './support/seed.js';

type Stack = Awaited<ReturnType<typeof startStack>>;

/** An approval queue page with everything DESIGN §4 puts in front of an approver. */
const QUEUE_WITH_CONTEXT = `query($first: Int) {
  approvalQueue(first: $first) {
    totalCount
    nodes {
      ${ACTION_FIELDS}
      reviews { verdict approver { name } }
      auditTrail { seq kind }
      agent {
        id name tags
        recentActions(first: 10) { id type summary status mode risk { score level } amount { value currency } createdAt decisions { verdict comment approver { name } } }
        baseline {
          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate changesRequestedRate flagRate
          byMode { mode count } usualAmounts { type currency p50 p95 samples }
        }
      }
      similar(first: 5) {
        sameAgent { id summary status decidedAt decisions { verdict comment at approver { name } onBehalfOf { name } } }
        otherAgents { id summary status agent { name } decisions { verdict approver { name } } }
      }
      revisionChanges {
        fields { field before after }
        payload { path change before after }
        payloadTruncated followsSuggestion
        requestedChanges { verdict comment modifiedPayload approver { name } }
      }
    }
  }
}`;

describe('context for approvers', () => {
  let stack: Stack;
  let fiona: { id: string; token: string };
  let agents: { id: string; name: string; apiKey: string }[];
  let revision: { id: string };

  const decide = (actionId: string, verdict: string, extra: Record<string, unknown> = {}) =>
    gqlOk(stack.url, DECIDE, { input: { actionId, verdict, ...extra } }, fiona.token);

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await createApprover(stack, 'cfo', []);
    await createApprover(stack, 'carla', ['compliance']);
    await apply(stack, governanceYaml());
    agents = [];
    for (let i = 0; i < 5; i++) agents.push(await createAgent(stack, `agent-${i}`, { tags: ['finance'] }));
    const [first, second] = agents as [typeof agents[0], typeof agents[0]];

    // History: agent-0 had two wires approved and one denied; agent-1 one approved.
    for (const verdict of ['APPROVE', 'APPROVE', 'DENY']) {
      const past = await submit(stack, first.apiKey, INPUTS.sync);
      await decide(past.id, verdict, verdict === 'DENY' ? { comment: 'Wrong account' } : {});
    }
    await submit(stack, first.apiKey, INPUTS.auto);
    await decide((await submit(stack, second.apiKey, INPUTS.sync)).id, 'APPROVE');

    // A revision: changes requested with a suggested payload, which the agent then follows.
    const original = await submit(stack, first.apiKey, INPUTS.sync);
    const suggestion = { to: 'ACME-IBAN', amount: 9000, currency: 'USD' };
    await decide(original.id, 'REQUEST_CHANGES', { comment: 'Pay the 9,000 that is due now', modifiedPayload: suggestion });
    revision = await submit(stack, first.apiKey, {
      ...INPUTS.sync, summary: 'Wire 9,000 USD to Acme Ltd', amount: { value: 9000, currency: 'USD' }, payload: suggestion, revisionOf: original.id,
    });

    // The rest of fiona's queue: 49 more pending wires from five agents.
    for (let i = 0; i < 49; i++) await submit(stack, agents[i % agents.length]!.apiKey, INPUTS.sync);
  });
  afterAll(() => stack?.dispose());

  it('should load a page of 50 with full context in a handful of queries, no more than a page of 5', async () => {
    const counter = countQueries(stack.app);
    try {
      const small = await counter.query(stack.url, QUEUE_WITH_CONTEXT, { first: 5 }, fiona.token);
      const full = await counter.query(stack.url, QUEUE_WITH_CONTEXT, { first: 50 }, fiona.token);
      expect(full.data.approvalQueue.nodes).toHaveLength(50);
      expect(small.data.approvalQueue.nodes).toHaveLength(5);
      // The first five hold a revision, precedent with decisions and agents with history:
      // every loader runs for both pages.
      expect(small.data.approvalQueue.nodes.map((n: { id: string }) => n.id)).toContain(revision.id);
      expect(small.queries.length).toBeGreaterThan(0);
      // Today: auth, the page with its requests' agents, assignees and decisions, and its count (2); then one per
      // loader: reviews, audit trails, revised requests, the decisions on those, similar and recent actions (each
      // with their agents and decisions), baselines, and the approvers of requested changes. 11 as of writing.
      expect(full.queries.length, full.queries.join('\n')).toBeLessThanOrEqual(11);
      expect(full.queries.length, `page of 5:\n${small.queries.join('\n')}\n\npage of 50:\n${full.queries.join('\n')}`).toBeLessThanOrEqual(small.queries.length);
    } finally {
      counter.dispose();
    }
  });

  it('should show a revision next to what was asked: changed fields, payload keys, and whether it follows the suggestion', async () => {
    const { approvalQueue } = await gqlOk(stack.url, QUEUE_WITH_CONTEXT, { first: 50 }, fiona.token);
    const node = approvalQueue.nodes.find((n: { id: string }) => n.id === revision.id);
    expect(node.revisionOf.status).toBe('CHANGES_REQUESTED');
    expect(node.revisionChanges.requestedChanges).toMatchObject({ verdict: 'REQUEST_CHANGES', comment: 'Pay the 9,000 that is due now', approver: { name: 'fiona' } });
    expect(node.revisionChanges.fields).toEqual([
      { field: 'summary', before: 'Wire 25,000 USD to Acme Ltd', after: 'Wire 9,000 USD to Acme Ltd' },
      { field: 'amount', before: { value: 25000, currency: 'USD' }, after: { value: 9000, currency: 'USD' } },
    ]);
    expect(node.revisionChanges.payload).toEqual([{ path: 'amount', change: 'CHANGED', before: 25000, after: 9000 }]);
    expect(node.revisionChanges).toMatchObject({ payloadTruncated: false, followsSuggestion: true });

    const plain = approvalQueue.nodes.find((n: { id: string; revisionOf: unknown }) => n.revisionOf === null);
    expect(plain.revisionChanges).toBeNull();
  });

  it('should show precedent: the agent\'s earlier requests of the type and other agents\', with how each was decided', async () => {
    const { approvalQueue } = await gqlOk(stack.url, QUEUE_WITH_CONTEXT, { first: 50 }, fiona.token);
    const node = approvalQueue.nodes.find((n: { id: string }) => n.id === revision.id);
    const verdicts = node.similar.sameAgent.map((s: { status: string; decisions: { verdict: string }[] }) => [s.status, s.decisions.map((d) => d.verdict).join()]);
    // Newest first: the revised request, the denial, then the two approvals.
    expect(verdicts).toEqual([['CHANGES_REQUESTED', 'REQUEST_CHANGES'], ['DENIED', 'DENY'], ['APPROVED', 'APPROVE'], ['APPROVED', 'APPROVE']]);
    expect(node.similar.sameAgent[1].decisions[0]).toMatchObject({ comment: 'Wrong account', approver: { name: 'fiona' }, onBehalfOf: null });
    expect(node.similar.otherAgents).toEqual([
      expect.objectContaining({ status: 'APPROVED', agent: { name: 'agent-1' }, decisions: [{ verdict: 'APPROVE', approver: { name: 'fiona' } }] }),
    ]);
  });

  it("should show what is normal for the agent: its recent requests, rates and usual amounts", async () => {
    const { approvalQueue } = await gqlOk(stack.url, QUEUE_WITH_CONTEXT, { first: 50 }, fiona.token);
    const { agent } = approvalQueue.nodes.find((n: { id: string }) => n.id === revision.id);
    expect(agent.name).toBe('agent-0');
    expect(agent.recentActions).toHaveLength(10);
    expect(agent.recentActions.every((a: { type: string }) => a.type === 'payments.transfer')).toBe(true);
    // 3 history + the revised request + the revision + 10 of the 49 + one read.
    expect(agent.baseline).toMatchObject({
      requests: 16, requestsLastHour: 16, actionsPerHour: null, humanDecisions: 4, approvalRate: 0.5, denialRate: 0.25, changesRequestedRate: 0.25, flagRate: null,
    });
    expect(agent.baseline.byMode).toEqual([
      { mode: 'AUTO', count: 1 }, { mode: 'ASYNC_REVIEW', count: 0 }, { mode: 'SYNC_APPROVAL', count: 15 }, { mode: 'BLOCK', count: 0 },
    ]);
    expect(agent.baseline.usualAmounts).toEqual([{ type: 'payments.transfer', currency: 'USD', p50: 25000, p95: 25000, samples: 15 }]);
  });

  it('should keep other agents\' requests from agents, and let an agent see its own baseline', async () => {
    const agent = agents[0]!;
    const similar = await gql(stack.url, '{ myActions(first: 1) { nodes { similar { otherAgents { id } } } } }', {}, agent.apiKey);
    expect(errorCode(similar)).toBe('FORBIDDEN');
    const own = await gqlOk(stack.url, '{ me { agent { baseline { requests } recentActions(first: 1) { id } } } }', {}, agent.apiKey);
    expect(own.me.agent.baseline.requests).toBe(16);
    expect(own.me.agent.recentActions).toHaveLength(1);
  });

  it('should refuse an unreasonable page of context', async () => {
    const result = await gql(stack.url, '{ approvalQueue(first: 1) { nodes { similar(first: 500) { sameAgent { id } } } } }', {}, fiona.token);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });
});

describe('metrics and alerts on a known history', () => {
  let stack: Stack;
  let fiona: { id: string; token: string };
  let frank: { id: string; token: string };
  let until: Date;
  let hourStart: Date;

  const METRICS = `query($window: String, $bucket: String, $until: DateTime) {
    metrics(window: $window, bucket: $bucket, until: $until) {
      window bucket since until submitted pending oldestPendingSince unreviewed
      byMode { mode count } byStatus { status count } byModeAndStatus { mode status count }
      decided approved denied changesRequested approvalRate denialRate changesRequestedRate
      decisionLatency { count p50 p90 p95 p99 mean }
      escalations escalated escalationRate expired expiryRate
      series { at submitted auto asyncReview syncApproval blocked decided approved denied expired escalations decisionLatencyP50 queueDepth }
      approvers {
        approver { name } decisions approved denied approveRate medianSecondsToDecide quickApprovals pending toReview assigned reviews flags
        series { at decisions approved }
      }
      policies { policy submitted byMode { mode count } decided approved denied expired approvalRate levels { level decided approved } series { at submitted decided approved } }
      chains { chain resolved decided expired timedOut noApproversAvailable escalated expiryRate escalationRate }
      roles { role members decisions shares { approver { name } decisions share } }
      alerts { kind severity subject message suggestion evidence }
    }
  }`;

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    frank = await createApprover(stack, 'frank', ['finance']);
    await createApprover(stack, 'carla', ['compliance']);
    const agent = await createAgent(stack, 'ap-agent');
    const db = stack.database;

    // Everything is placed on whole hours before the current one, so each event falls in a known bucket.
    until = new Date();
    hourStart = new Date(Math.floor(until.getTime() / 3_600_000) * 3_600_000);
    const at = clock(hourStart);
    const held = { agentId: agent.id, mode: 'SYNC_APPROVAL', policy: 'payments', route: 'payments', chain: 'finance', amount: { value: 25000, currency: 'USD' } } as const;
    const assignBoth = async (actionId: string, createdAt: Date, endedAt: Date | null) => {
      for (const approver of [fiona, frank]) await seedAssignment(db, { actionId, approverId: approver.id, viaRole: 'finance', createdAt, endedAt });
    };
    const decided = async (approver: { id: string }, verdict: 'APPROVE' | 'DENY', createdAt: Date, seconds: number, riskLevel: 'HIGH' | 'CRITICAL' = 'HIGH') => {
      const decidedAt = new Date(createdAt.getTime() + seconds * 1000);
      const status = verdict === 'APPROVE' ? 'APPROVED' : 'DENIED';
      const reason = verdict === 'APPROVE' ? 'APPROVED_BY_APPROVER' : 'DENIED_BY_APPROVER';
      const id = await seedAction(db, { ...held, status, statusReason: reason, riskLevel, createdAt, decidedAt });
      await assignBoth(id, createdAt, decidedAt);
      await seedDecision(db, { actionId: id, approverId: approver.id, verdict, at: decidedAt });
    };

    // Outside the window: three old approvals that must not count.
    for (let i = 0; i < 3; i++) await decided(fiona, 'APPROVE', at(-30, i), 5);
    // fiona approves 20 wires, each 5 s after it arrives: two per hour from 22 h ago.
    for (let k = 0; k < 20; k++) await decided(fiona, 'APPROVE', at(-22, 30 * k), 5);
    // frank takes 10 minutes over each of two: one approved, one denied.
    await decided(frank, 'APPROVE', at(-22, 1), 600);
    await decided(frank, 'DENY', at(-22, 2), 600, 'CRITICAL');
    // Two wires escalate and then expire with nobody deciding.
    for (let i = 0; i < 2; i++) {
      const id = await seedAction(db, { ...held, status: 'EXPIRED', statusReason: 'TIMED_OUT', createdAt: at(-21, 1), decidedAt: at(-21, 20) });
      await assignBoth(id, at(-21, 1), at(-21, 10));
      await seedAuditEvent(db, { kind: 'ESCALATED', subjectId: id, at: at(-21, 10) });
    }
    // 30 low-risk reads run at once; two exports are blocked.
    for (let i = 0; i < 30; i++) await seedAction(db, { agentId: agent.id, type: 'reports.read', mode: 'AUTO', status: 'APPROVED', statusReason: 'AUTO_APPROVED', riskLevel: 'LOW', riskScore: 0, createdAt: at(-20, 10 * i) });
    for (let i = 0; i < 2; i++) await seedAction(db, { agentId: agent.id, mode: 'BLOCK', policy: 'payments', status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', createdAt: at(-19) });
    // Five ran under review: frank acknowledged two and flagged one; two wait for him.
    const reviewed = ['ACKNOWLEDGED', 'ACKNOWLEDGED', 'FLAGGED', 'UNREVIEWED', 'UNREVIEWED'] as const;
    for (const [i, reviewStatus] of reviewed.entries()) {
      const id = await seedAction(db, { agentId: agent.id, mode: 'ASYNC_REVIEW', policy: 'payments', route: 'payments', chain: 'finance', status: 'APPROVED', statusReason: 'AUTO_APPROVED', reviewStatus, riskLevel: 'MEDIUM', createdAt: at(-18, 5 * i) });
      const done = reviewStatus !== 'UNREVIEWED';
      await seedAssignment(db, { actionId: id, approverId: frank.id, kind: 'REVIEW', viaRole: 'finance', createdAt: at(-18, 5 * i), endedAt: done ? at(-17) : null });
      if (done) await seedReview(db, { actionId: id, approverId: frank.id, verdict: reviewStatus === 'FLAGGED' ? 'FLAG' : 'ACKNOWLEDGE', at: at(-17) });
    }
    // The queue grows by one wire an hour over the last 12 hours; one of them escalated.
    for (let j = 0; j < 12; j++) {
      const id = await seedAction(db, { ...held, status: 'PENDING', createdAt: at(-12 + j, 1) });
      await assignBoth(id, at(-12 + j, 1), null);
      if (j === 10) await seedAuditEvent(db, { kind: 'ESCALATED', subjectId: id, at: at(-2, 30) });
    }
    await seedDeliveries(db, [
      { event: 'ASSIGNED', status: 'DELIVERED', count: 3 },
      { event: 'ASSIGNED', status: 'FAILED', count: 1 },
      { event: 'ESCALATED', status: 'PENDING', count: 2 },
    ]);
  });
  afterAll(() => stack?.dispose());

  const metrics = async (variables: Record<string, unknown> = {}) =>
    (await gqlOk(stack.url, METRICS, { window: '24h', bucket: '1h', until: until.toISOString(), ...variables }, stack.adminToken)).metrics;

  it('should count submissions by mode and status, and the queue now', async () => {
    const m = await metrics();
    expect(m).toMatchObject({ window: '24h', bucket: '1h', submitted: 73, pending: 12, unreviewed: 2 });
    expect(new Date(m.oldestPendingSince)).toEqual(clock(hourStart)(-12, 1));
    expect(m.byMode).toEqual([{ mode: 'AUTO', count: 30 }, { mode: 'ASYNC_REVIEW', count: 5 }, { mode: 'SYNC_APPROVAL', count: 36 }, { mode: 'BLOCK', count: 2 }]);
    expect(m.byStatus).toEqual([
      { status: 'PENDING', count: 12 }, { status: 'APPROVED', count: 56 }, { status: 'DENIED', count: 3 },
      { status: 'CHANGES_REQUESTED', count: 0 }, { status: 'EXPIRED', count: 2 }, { status: 'CANCELLED', count: 0 },
    ]);
    expect(m.byModeAndStatus).toEqual(expect.arrayContaining([{ mode: 'SYNC_APPROVAL', status: 'APPROVED', count: 21 }, { mode: 'BLOCK', status: 'DENIED', count: 2 }]));
  });

  it('should give decision rates, time to decision percentiles, escalations and expiries', async () => {
    const m = await metrics();
    expect(m).toMatchObject({ decided: 22, approved: 21, denied: 1, changesRequested: 0, escalations: 3, escalated: 2, expired: 2 });
    expect(m.approvalRate).toBeCloseTo(21 / 22);
    expect(m.denialRate).toBeCloseTo(1 / 22);
    expect(m.escalationRate).toBeCloseTo(2 / 24);
    expect(m.expiryRate).toBeCloseTo(2 / 24);
    // 20 decisions of 5 s and 2 of 600 s.
    expect(m.decisionLatency.count).toBe(22);
    expect(m.decisionLatency.p50).toBeCloseTo(5);
    expect(m.decisionLatency.p90).toBeCloseTo(5);
    expect(m.decisionLatency.p95).toBeCloseTo(570.25);
    expect(m.decisionLatency.p99).toBeCloseTo(600);
    expect(m.decisionLatency.mean).toBeCloseTo(1300 / 22);
  });

  it('should plot every bucket of the window, with the queue depth at the end of each', async () => {
    const m = await metrics();
    const at = clock(hourStart);
    expect(m.series).toHaveLength(25);
    expect(new Date(m.series[0].at)).toEqual(at(-24));
    const point = (hours: number) => m.series.find((p: { at: string }) => new Date(p.at).getTime() === at(hours).getTime());
    expect(point(-22)).toMatchObject({ decided: 4, approved: 3, denied: 1, decisionLatencyP50: 302.5, queueDepth: 0 });
    expect(point(-21)).toMatchObject({ decided: 2, expired: 2, escalations: 2, decisionLatencyP50: 5 });
    expect(point(-20)).toMatchObject({ submitted: 8, auto: 6, syncApproval: 2 });
    expect(m.series.map((p: { queueDepth: number }) => p.queueDepth)).toEqual([...Array(12).fill(0), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12]);
    const sum = (key: string) => m.series.reduce((total: number, p: Record<string, number>) => total + p[key]!, 0);
    expect([sum('submitted'), sum('decided'), sum('expired'), sum('escalations')]).toEqual([m.submitted, m.decided, m.expired, m.escalations]);
  });

  it('should break decisions down per approver, policy, chain and role', async () => {
    const m = await metrics();
    expect(m.approvers.map((a: { approver: { name: string } }) => a.approver.name)).toEqual(['fiona', 'frank']);
    const [f, k] = m.approvers;
    expect(f).toMatchObject({ decisions: 20, approved: 20, denied: 0, approveRate: 1, medianSecondsToDecide: 5, quickApprovals: 20, pending: 12, toReview: 0, assigned: 36, reviews: 0 });
    expect(k).toMatchObject({ decisions: 2, approved: 1, denied: 1, approveRate: 0.5, medianSecondsToDecide: 600, quickApprovals: 0, pending: 12, toReview: 2, assigned: 36, reviews: 3, flags: 1 });
    expect(f.series.reduce((n: number, p: { decisions: number }) => n + p.decisions, 0)).toBe(20);

    const payments = m.policies.find((p: { policy: string | null }) => p.policy === 'payments');
    expect(payments).toMatchObject({ submitted: 43, decided: 22, approved: 21, denied: 1, expired: 2 });
    expect(payments.byMode).toEqual([{ mode: 'AUTO', count: 0 }, { mode: 'ASYNC_REVIEW', count: 5 }, { mode: 'SYNC_APPROVAL', count: 36 }, { mode: 'BLOCK', count: 2 }]);
    expect(payments.levels).toEqual(expect.arrayContaining([{ level: 'HIGH', decided: 21, approved: 21 }, { level: 'CRITICAL', decided: 1, approved: 0 }]));
    expect(m.policies.find((p: { policy: string | null }) => p.policy === null)).toMatchObject({ submitted: 30, decided: 0, approvalRate: null });

    expect(m.chains).toEqual([{ chain: 'finance', resolved: 24, decided: 22, expired: 2, timedOut: 2, noApproversAvailable: 0, escalated: 2, expiryRate: 2 / 24, escalationRate: 2 / 24 }]);
    expect(m.roles).toEqual([{
      role: 'finance', members: 2, decisions: 22,
      shares: [{ approver: { name: 'fiona' }, decisions: 20, share: 20 / 22 }, { approver: { name: 'frank' }, decisions: 2, share: 2 / 22 }],
    }]);
  });

  it('should raise the fatigue alerts this history calls for, each with its numbers', async () => {
    const { alerts } = await metrics();
    expect(alerts.map((a: { kind: string; severity: string; subject: string | null }) => [a.kind, a.severity, a.subject])).toEqual([
      ['REQUESTS_EXPIRING', 'WARNING', 'finance'],
      ['RUBBER_STAMPING', 'WARNING', 'fiona'],
      ['QUEUE_GROWING', 'WARNING', null],
      ['LOAD_IMBALANCE', 'WARNING', 'finance'],
      ['SYNC_ALWAYS_APPROVED', 'INFO', 'payments'],
    ]);
    const byKind = Object.fromEntries(alerts.map((a: { kind: string }) => [a.kind, a]));
    expect(byKind.REQUESTS_EXPIRING.message).toContain('2 of 24 requests held for approval (8%) expired');
    expect(byKind.RUBBER_STAMPING.evidence).toMatchObject({ approver: 'fiona', decisions: 20, approved: 20, quickApprovals: 20, medianSecondsToDecide: 5 });
    expect(byKind.QUEUE_GROWING.evidence).toMatchObject({ pendingNow: 12, earlier: 0 });
    expect(byKind.LOAD_IMBALANCE.message).toContain('fiona made 20 of the 22 decisions (91%) for role finance');
    expect(byKind.SYNC_ALWAYS_APPROVED.evidence).toMatchObject({ policy: 'payments', decided: 22, approved: 21 });
    expect(byKind.SYNC_ALWAYS_APPROVED.suggestion).toContain('modes: { HIGH: ASYNC_REVIEW }');
    for (const alert of alerts) expect(alert.suggestion.length).toBeGreaterThan(40);
  });

  it('should leave out what happened before the window', async () => {
    const m = await metrics({ window: '1h', bucket: '15m', until: clock(hourStart)(-29).toISOString() });
    expect(m).toMatchObject({ submitted: 3, decided: 3, approved: 3 });
    // frank decided nothing then, but was assigned the same three and has work waiting now.
    expect(m.approvers.map((a: { approver: { name: string }; decisions: number; assigned: number }) => [a.approver.name, a.decisions, a.assigned])).toEqual([['fiona', 3, 3], ['frank', 0, 3]]);
  });

  it('should be for admins only, and refuse a window it cannot read', async () => {
    expect(errorCode(await gql(stack.url, '{ metrics { submitted } }', {}, fiona.token))).toBe('FORBIDDEN');
    const bad = await gql(stack.url, '{ metrics(window: "a fortnight") { submitted } }', {}, stack.adminToken);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.field).toBe('window');
    expect(errorCode(await gql(stack.url, '{ metrics(window: "30d", bucket: "1m") { submitted } }', {}, stack.adminToken))).toBe('BAD_USER_INPUT');
  });

  it('should default to the last 24 hours, and answer the CLI\'s query', async () => {
    const m = (await gqlOk(stack.url, '{ metrics { window bucket submitted pending escalations expired approvalRate byMode { mode count } byStatus { status count } decisionLatency { p50 p95 p99 } } }', {}, stack.adminToken)).metrics;
    expect(m).toMatchObject({ window: '24h', bucket: '30m', submitted: 73, pending: 12, escalations: 3, expired: 2 });
  });

  it('should expose the same history to Prometheus at /metrics', async () => {
    const response = await fetch(new URL('/metrics', stack.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    const samples = new Map(body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
    expect([...samples.keys()].every((name) => name.startsWith('countersign_'))).toBe(true);
    expect(samples.get('countersign_action_requests{mode="SYNC_APPROVAL",status="APPROVED"}')).toBe(24);
    expect(samples.get('countersign_action_requests{mode="SYNC_APPROVAL",status="PENDING"}')).toBe(12);
    expect(samples.get('countersign_action_requests_submitted_total{mode="SYNC_APPROVAL"}')).toBe(39);
    expect(samples.get('countersign_action_requests_submitted_total{mode="AUTO"}')).toBe(30);
    expect(samples.get('countersign_queue_depth{queue="approval"}')).toBe(12);
    expect(samples.get('countersign_queue_depth{queue="review"}')).toBe(2);
    expect(samples.get('countersign_queue_oldest_pending_age_seconds')).toBeGreaterThan(11 * 3600);
    expect(samples.get('countersign_escalations_total')).toBe(3);
    expect(samples.get('countersign_expirations_total{reason="TIMED_OUT"}')).toBe(2);
    // 23 approvals after 5 s (20 + the 3 old ones) and one after 600 s; one denial after 600 s.
    expect(samples.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="1"}')).toBe(0);
    expect(samples.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="5"}')).toBe(23);
    expect(samples.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="600"}')).toBe(24);
    expect(samples.get('countersign_decision_latency_seconds_count{status="APPROVED"}')).toBe(24);
    expect(samples.get('countersign_decision_latency_seconds_sum{status="APPROVED"}')).toBeCloseTo(23 * 5 + 600);
    expect(samples.get('countersign_decision_latency_seconds_bucket{status="DENIED",le="300"}')).toBe(0);
    expect(samples.get('countersign_decision_latency_seconds_count{status="DENIED"}')).toBe(1);
    expect(samples.get('countersign_notification_deliveries_total{event="ASSIGNED",status="DELIVERED"}')).toBe(3);
    expect(samples.get('countersign_notification_deliveries_total{event="ASSIGNED",status="FAILED"}')).toBe(1);
    expect(samples.get('countersign_notification_deliveries_pending{event="ESCALATED"}')).toBe(2);
  });
});

describe('simulating a draft against stored requests', () => {
  let stack: Stack;
  const SIMULATE = `query($document: String!, $since: DateTime, $first: Int) {
    simulateGovernance(document: $document, since: $since, first: $first) {
      since evaluated truncated changed modeChanged levelChanged routeChanged noRoute
      byMode { mode count } currentByMode { mode count } transitions { from to count }
      changes { actionId type summary agent { name } status fromMode toMode fromLevel toLevel fromScore toScore fromPolicy toPolicy fromRoute toRoute noRoute }
      evaluationNotes { message count }
    }
  }`;
  const simulate = async (document: string, extra: Record<string, unknown> = {}) =>
    (await gqlOk(stack.url, SIMULATE, { document, ...extra }, stack.adminToken)).simulateGovernance;
  const count = (modes: { mode: string; count: number }[]) => Object.fromEntries(modes.map((m) => [m.mode, m.count]));

  beforeAll(async () => {
    stack = await startStack();
    await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await createApprover(stack, 'cfo', []);
    await createApprover(stack, 'carla', ['compliance']);
    await apply(stack, governanceYaml());
    const agent = await createAgent(stack, 'sim-agent');
    const deletion = { type: 'records.delete', operation: 'DELETE', summary: 'Delete customer 42', dataClassification: 'CONFIDENTIAL' };
    const crm = { type: 'crm.delete', operation: 'DELETE', summary: 'Delete a CRM contact', dataClassification: 'CONFIDENTIAL' };
    const inputs = [
      ...Array(4).fill(INPUTS.auto), // 0 points: LOW → AUTO
      ...Array(3).fill(INPUTS.asyncReview), // 35: MEDIUM → ASYNC_REVIEW (payments)
      ...Array(2).fill(INPUTS.sync), // 95: CRITICAL → SYNC_APPROVAL (payments)
      deletion, deletion, crm, // 60: HIGH → SYNC_APPROVAL (defaults), routed everything-else
      INPUTS.blocked, // forced BLOCK; last, so that its denial weighs on no other request
    ];
    for (const input of inputs) await submit(stack, agent.apiKey, input);
  });
  afterAll(() => stack?.dispose());

  it('should find nothing to change when replaying the document in force', async () => {
    const result = await simulate(governanceYaml());
    expect(result).toMatchObject({ evaluated: 13, truncated: false, changed: 0, modeChanged: 0, levelChanged: 0, routeChanged: 0, noRoute: 0, changes: [], evaluationNotes: [] });
    expect(count(result.byMode)).toEqual({ AUTO: 4, ASYNC_REVIEW: 3, SYNC_APPROVAL: 5, BLOCK: 1 });
    expect(result.currentByMode).toEqual(result.byMode);
  });

  it('should report what a stricter draft would hold for approval', async () => {
    // Lower thresholds: 35 points become HIGH, which payments hold for approval.
    const stricter = governanceYaml().replace('levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 }', 'levels: { MEDIUM: 10, HIGH: 30, CRITICAL: 85 }');
    const result = await simulate(stricter);
    expect(result).toMatchObject({ evaluated: 13, changed: 3, modeChanged: 3, levelChanged: 3, routeChanged: 0, noRoute: 0 });
    expect(result.transitions).toEqual([{ from: 'ASYNC_REVIEW', to: 'SYNC_APPROVAL', count: 3 }]);
    expect(count(result.byMode)).toEqual({ AUTO: 4, ASYNC_REVIEW: 0, SYNC_APPROVAL: 8, BLOCK: 1 });
    expect(result.changes).toHaveLength(3);
    expect(result.changes[0]).toMatchObject({
      type: 'payments.transfer', agent: { name: 'sim-agent' }, status: 'APPROVED', fromMode: 'ASYNC_REVIEW', toMode: 'SYNC_APPROVAL',
      fromLevel: 'MEDIUM', toLevel: 'HIGH', fromScore: 35, toScore: 35, fromPolicy: 'payments', toPolicy: 'payments', fromRoute: 'payments', toRoute: 'payments', noRoute: false,
    });
  });

  it('should report what a looser draft would let run under review instead', async () => {
    const looser = governanceYaml().replace('HIGH: SYNC_APPROVAL, CRITICAL: SYNC_APPROVAL', 'HIGH: ASYNC_REVIEW, CRITICAL: ASYNC_REVIEW');
    const result = await simulate(looser, { first: 1 });
    expect(result).toMatchObject({ evaluated: 13, changed: 2, modeChanged: 2, levelChanged: 0 });
    expect(result.transitions).toEqual([{ from: 'SYNC_APPROVAL', to: 'ASYNC_REVIEW', count: 2 }]);
    expect(count(result.byMode)).toEqual({ AUTO: 4, ASYNC_REVIEW: 5, SYNC_APPROVAL: 3, BLOCK: 1 });
    expect(result.changes).toEqual([expect.objectContaining({ summary: 'Wire 25,000 USD to Acme Ltd', fromMode: 'SYNC_APPROVAL', toMode: 'ASYNC_REVIEW', fromLevel: 'CRITICAL' })]);
  });

  it('should report requests a draft would route elsewhere, or nowhere', async () => {
    const result = await simulate(governanceYaml({ catchAll: false }));
    expect(result).toMatchObject({ changed: 3, modeChanged: 0, routeChanged: 3, noRoute: 1 });
    const routes = result.changes.map((c: { type: string; fromRoute: string; toRoute: string | null; noRoute: boolean }) => [c.type, c.fromRoute, c.toRoute, c.noRoute]);
    expect(routes).toEqual([
      ['crm.delete', 'everything-else', null, true],
      ['records.delete', 'everything-else', 'records', false],
      ['records.delete', 'everything-else', 'records', false],
    ]);
  });

  it('should replay only requests since the given time', async () => {
    expect((await simulate(governanceYaml(), { since: new Date(Date.now() + 3_600_000).toISOString() })).evaluated).toBe(0);
  });

  it('should refuse an invalid draft, and anyone but an admin', async () => {
    const invalid = await gql(stack.url, SIMULATE, { document: 'version: 2' }, stack.adminToken);
    expect(errorCode(invalid)).toBe('BAD_USER_INPUT');
    const approver = await createApprover(stack, 'nosy', ['finance']);
    expect(errorCode(await gql(stack.url, SIMULATE, { document: governanceYaml() }, approver.token))).toBe('FORBIDDEN');
  });
});
