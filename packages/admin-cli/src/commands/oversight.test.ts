import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, graphql } from 'graphql';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import { GOVERNANCE_TEMPLATE } from '../governance/template.js';
import { runInProcess } from '../testing.js';

/**
 * `show`, `metrics` and `simulate` in-process against a fake server that EXECUTES each
 * operation on the server's printed schema: fixtures missing a non-null field, or
 * selections the schema lacks, fail here the way they would against the real server.
 */
const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../../server/schema.graphql', import.meta.url)), 'utf8'));

interface Call {
  readonly operationName: string;
  readonly variables: Record<string, unknown>;
}

function schemaFetch(root: Record<string, unknown>): typeof fetch & { calls: Call[] } {
  const calls: Call[] = [];
  const impl = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    calls.push({ operationName: body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '', variables: body.variables ?? {} });
    const result = await graphql({ schema, source: body.query, variableValues: body.variables, rootValue: root });
    return new Response(JSON.stringify(result), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(impl, { calls });
}

/** Fails with the full output, so a broken fixture explains itself. */
function ok<T extends { code: number; stdout: string; stderr: string }>(r: T): T {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(ExitCode.OK);
  return r;
}

const TOKEN = { COUNTERSIGN_URL: 'http://cs.test:4000', COUNTERSIGN_TOKEN: 'cs_apr_bob' };
const NOW = new Date('2025-07-10T12:00:00Z');

const person = (id: string, name: string) => ({ id, name, email: null, roles: ['finance'], active: true, createdAt: '2025-07-01T00:00:00Z', updatedAt: '2025-07-01T00:00:00Z' });
const bob = person('p2', 'bob');
const carol = person('p3', 'carol');

const agentBase = { description: null, status: 'ACTIVE', suspendedReason: null, createdAt: '2025-06-01T00:00:00Z', updatedAt: '2025-06-01T00:00:00Z', owner: person('p1', 'alice') };
const otherAgent = { ...agentBase, id: 'g2', name: 'payables-bot', tags: [] };

const digest = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  type: 'payments.transfer',
  operation: 'WRITE',
  summary: `Pay ${id}`,
  resource: null,
  amount: { value: 900, currency: 'EUR' },
  destination: null,
  risk: { score: 40, level: 'MEDIUM', factors: [] },
  mode: 'SYNC_APPROVAL',
  status: 'APPROVED',
  statusReason: null,
  reviewStatus: null,
  policy: 'payments',
  createdAt: '2025-07-09T10:00:00Z',
  decidedAt: '2025-07-09T10:05:00Z',
  agent: { ...agentBase, id: 'g1', name: 'invoice-bot', tags: ['finance'] },
  decisions: [{ verdict: 'APPROVE', comment: 'matches PO-7', at: '2025-07-09T10:05:00Z', approver: bob, onBehalfOf: null }],
  ...over,
});

const baseline = {
  since: '2025-06-10T12:00:00Z',
  firstSeenAt: '2025-06-01T09:00:00Z',
  requests: 42,
  actionsPerHour: 0.5,
  requestsLastHour: 1,
  byMode: [{ mode: 'AUTO', count: 30 }, { mode: 'SYNC_APPROVAL', count: 12 }],
  humanDecisions: 10,
  approvalRate: 0.8,
  denialRate: 0.2,
  changesRequestedRate: 0,
  reviewed: 0,
  flagRate: null,
  blocked: 0,
  expired: 1,
  usualAmounts: [{ type: 'payments.transfer', currency: 'EUR', p50: 900, p95: 4000, samples: 12 }],
};

const ACTION_ID = 'a7f0c2de-0000-4000-8000-000000000001';

/** A pending revision of an earlier request, with everything `show` reads. */
function action(over: Record<string, unknown> = {}) {
  const self = digest(ACTION_ID, { summary: 'Pay invoice INV-42 to ACME', amount: { value: 12500, currency: 'EUR' }, status: 'PENDING', decisions: [] });
  return {
    ...self,
    justification: 'Invoice due today.',
    expectedOutcome: 'ACME is paid.',
    dataClassification: 'CONFIDENTIAL',
    dataCategories: ['PCI'],
    recordCount: null,
    destination: { system: 'bank', external: true },
    payload: { to: 'ACME', amount: 12500 },
    context: null,
    idempotencyKey: null,
    risk: { score: 72, level: 'HIGH', factors: [{ dimension: 'amount', points: 25, detail: 'Amount 12,500 EUR is over 10,000.' }] },
    consequences: { approve: 'Funds leave the company account.', deny: 'The invoice is not paid today.' },
    notes: [],
    route: 'payments',
    chain: 'finance',
    escalationLevel: 1,
    deadline: '2025-07-10T12:10:00Z',
    requiredApprovals: 2,
    governanceVersion: 3,
    approvedPayload: null,
    candidatePayloadHash: 'pX0vQm2bT9cK4yLw8NfR1sJ6dHzA3uEgVbY7iOqC5tM',
    receipt: null,
    outcome: null,
    createdAt: '2025-07-10T11:55:00Z',
    updatedAt: '2025-07-10T11:58:00Z',
    decidedAt: null,
    agent: {
      ...agentBase,
      id: 'g1',
      name: 'invoice-bot',
      tags: ['finance'],
      // The agent's latest request is this one: `show` leaves it out of the history.
      recentActions: [self, digest('r-41'), digest('r-40', { status: 'DENIED', decisions: [{ verdict: 'DENY', comment: 'no PO', at: '2025-07-08T10:00:00Z', approver: carol, onBehalfOf: null }] })],
      baseline,
    },
    revisionOf: { ...self, id: 'orig-1', summary: 'Pay invoice INV-42 to ACME in one go', status: 'CHANGES_REQUESTED', createdAt: '2025-07-10T11:00:00Z' },
    revisionChanges: {
      requestedChanges: { id: 'd0', verdict: 'REQUEST_CHANGES', comment: 'cap it at 12,500', modifiedPayload: { to: 'ACME', amount: 12500 }, escalationLevel: 1, at: '2025-07-10T11:30:00Z', approver: carol, onBehalfOf: null },
      fields: [{ field: 'amount', before: { value: 25000, currency: 'EUR' }, after: { value: 12500, currency: 'EUR' } }],
      payload: [{ path: 'amount', change: 'CHANGED', before: 25000, after: 12500 }, { path: 'memo', change: 'REMOVED', before: 'urgent', after: null }],
      payloadTruncated: false,
      followsSuggestion: true,
    },
    similar: {
      sameAgent: [digest('r-41')],
      otherAgents: [digest('o-1', { agent: otherAgent, status: 'EXPIRED', statusReason: 'EXPIRED', decisions: [] }), digest('o-2', { agent: otherAgent, mode: 'AUTO', decisions: [] })],
    },
    assignees: [{ approver: bob, onBehalfOf: null, viaRole: 'finance', level: 1 }],
    decisions: [{ id: 'd1', verdict: 'APPROVE', comment: 'ok', modifiedPayload: null, escalationLevel: 1, at: '2025-07-10T11:58:00Z', approver: carol, onBehalfOf: null }],
    reviews: [],
    auditTrail: [{ seq: 41, at: '2025-07-10T11:55:00Z', kind: 'ACTION_SUBMITTED', subjectType: 'ACTION', subjectId: ACTION_ID, actorType: 'AGENT', actorId: 'g1', data: null, hash: 'h', prevHash: 'p' }],
    ...over,
  };
}

describe('show', () => {
  it("should give an approver the agent's history and baseline, precedent, and what a revision changed, in one query", async () => {
    const fetch = schemaFetch({ action: () => action() });
    const r = ok(await runInProcess(['show', ACTION_ID], { fetch, env: TOKEN, columns: 120, now: NOW }));
    expect(fetch.calls.filter((c) => c.operationName === 'Action')).toEqual([{ operationName: 'Action', variables: { id: ACTION_ID, recent: 11, similar: 5 } }]);
    for (const part of [
      'Pay invoice INV-42 to ACME', 'Invoice due today.', 'ACME is paid.', 'Risk 72/100, HIGH', 'Amount 12,500 EUR is over 10,000.',
      'Funds leave the company account.', 'The invoice is not paid today.', '"to": "ACME"', '1 of 2 approvals', 'in 10m',
      `countersign approve ${ACTION_ID}`,
    ]) {
      expect(r.stdout).toContain(part);
    }
    // The hash of the payload up for approval, to approve exactly what was read.
    expect(r.stdout).toMatch(/^Payload hash:\s+pX0vQm2bT9cK4yLw8NfR1sJ6dHzA3uEgVbY7iOqC5tM \(approve only this one: approve --payload-hash\)$/m);
    // The timeline names the agent and says what happened, with no raw ids.
    expect(r.stdout).toMatch(/^41\s+2025-07-10 11:55:00Z\s+invoice-bot\s+asked$/m);
    // The revision: what was asked, and what changed.
    expect(r.stdout).toMatch(/^What changed since orig-1$/m);
    expect(r.stdout).toMatch(/^Asked for:\s+carol, 2025-07-10 11:30:00Z: "cap it at 12,500"$/m);
    expect(r.stdout).toContain('yes: the new payload is exactly the one suggested');
    expect(r.stdout).toMatch(/^ {2}~ amount: 25000 → 12500$/m);
    expect(r.stdout).toMatch(/^ {2}- memo: urgent$/m);
    // The agent's normal, and this request against it.
    expect(r.stdout).toMatch(/^Agent invoice-bot: what is normal for it$/m);
    expect(r.stdout).toMatch(/^Human decisions:\s+10: 80% approved · 20% denied$/m);
    expect(r.stdout).toMatch(/^Usual amount:\s+median 900\.00 EUR, normal high \(p95\) 4,000\.00 EUR, over 12 including this one$/m);
    expect(r.stdout).toMatch(/^This request:\s+12,500\.00 EUR: 3\.1× its normal high$/m);
    expect(r.stdout).toMatch(/^Recent:\s+last 2: 1 approved · 1 denied; amount 900\.00 EUR$/m);
    expect(r.stdout).toMatch(/^r-41\s+40 MEDIUM\s+payments\.transfer\s+APPROVED/m);
    expect(r.stdout).not.toMatch(new RegExp(`^${ACTION_ID}\\s`, 'm'));
    // Precedent: how the same kind of request was decided.
    expect(r.stdout).toMatch(/^Earlier payments\.transfer requests and how they were decided$/m);
    expect(r.stdout).toMatch(/^By other agents:\s+last 2: 1 expired · 1 approved$/m);
    expect(r.stdout).toMatch(/^r-41\s+invoice-bot\s+.*approved by bob: "matches PO-7"/m);
    expect(r.stdout).toMatch(/^o-2\s+payables-bot\s+.*approved, automatically/m);
    for (const line of r.stdout.trimEnd().split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(120);
  });

  it("should pass the server's answer through with --json", async () => {
    const r = ok(await runInProcess(['show', ACTION_ID, '--json'], { fetch: schemaFetch({ action: () => action() }), env: TOKEN }));
    const json = r.json<{ payload: unknown; agent: { baseline: { requests: number }; recentActions: { id: string }[] }; similar: { sameAgent: unknown[] }; revisionChanges: { followsSuggestion: boolean } }>();
    expect(json.payload).toEqual({ to: 'ACME', amount: 12500 });
    expect(json.agent.baseline.requests).toBe(42);
    expect(json.agent.recentActions.map((a) => a.id)).toEqual([ACTION_ID, 'r-41', 'r-40']);
    expect(json.similar.sameAgent).toHaveLength(1);
    expect(json.revisionChanges.followsSuggestion).toBe(true);
  });

  it("should say when an agent has no history yet and the amount has nothing to compare with", async () => {
    const first = action({ revisionOf: null, revisionChanges: null, similar: { sameAgent: [], otherAgents: [] } });
    const lone = { ...first, agent: { ...first.agent, recentActions: [], baseline: { ...baseline, requests: 1, actionsPerHour: null, humanDecisions: 0, approvalRate: null, denialRate: null, usualAmounts: [] } } };
    const r = ok(await runInProcess(['show', ACTION_ID], { fetch: schemaFetch({ action: () => lone }), env: TOKEN, now: NOW }));
    expect(r.stdout).not.toContain('What changed since');
    expect(r.stdout).toMatch(/^Human decisions:\s+none yet$/m);
    expect(r.stdout).toMatch(/^Usual amount:\s+no baseline yet: no payments\.transfer in EUR counted yet \(it takes 5\)$/m);
    expect(r.stdout).toMatch(/^This request:\s+12,500\.00 EUR: the first payments\.transfer in EUR from this agent, nothing to compare with$/m);
    expect(r.stdout).toMatch(/^Recent:\s+no earlier requests: this is its first$/m);
    // With few samples the baseline leans on this request itself: hold it against the earlier ones instead.
    const few = { ...lone, similar: { sameAgent: [digest('r-41')], otherAgents: [] }, agent: { ...lone.agent, baseline: { ...lone.agent.baseline, usualAmounts: [{ type: 'payments.transfer', currency: 'EUR', p50: 6700, p95: 12000, samples: 2 }] } } };
    const r2 = ok(await runInProcess(['show', ACTION_ID], { fetch: schemaFetch({ action: () => few }), env: TOKEN, now: NOW }));
    // Two amounts are no baseline: "median … over 2 including this one" read as a bug.
    expect(r2.stdout).toMatch(/^Usual amount:\s+no baseline yet: 2 payments\.transfer in EUR so far, this one included \(it takes 5\)$/m);
    expect(r2.stdout).not.toMatch(/median/);
    expect(r2.stdout).toMatch(/^This request:\s+12,500\.00 EUR: 14× the largest of its last 1 payments\.transfer in EUR \(900\.00 EUR\)$/m);
    expect(r.stdout).toMatch(/^By invoice-bot:\s+none$/m);
  });
});

const point = (at: string, over: Record<string, unknown> = {}) => ({
  at, submitted: 0, auto: 0, asyncReview: 0, syncApproval: 0, blocked: 0, decided: 0, approved: 0, denied: 0, changesRequested: 0, expired: 0, escalations: 0,
  decisionLatencyP50: null, decisionLatencyP90: null, queueDepth: 0, ...over,
});

const bobRef = { id: 'p2', name: 'bob' };

const metricsAnswer = {
  window: '24h', bucket: '12h', since: '2025-07-09T12:00:00Z', until: '2025-07-10T12:00:00Z',
  submitted: 120, byMode: [{ mode: 'AUTO', count: 70 }, { mode: 'SYNC_APPROVAL', count: 50 }], byStatus: [{ status: 'APPROVED', count: 110 }], byModeAndStatus: [],
  pending: 3, oldestPendingSince: '2025-07-10T09:00:00Z', unreviewed: 0,
  decided: 50, approved: 48, denied: 2, changesRequested: 0, approvalRate: 0.96, denialRate: 0.04, changesRequestedRate: 0,
  decisionLatency: { count: 50, p50: 12, p90: 240, p95: 300, p99: 3700, mean: 60 },
  escalations: 2, escalated: 2, escalationRate: 0.04, expired: 0, expiryRate: 0, breakGlassUses: 0, breakGlassRefused: 0,
  grants: { uses: 5, granted: 5, grantedShare: 0.1, active: 1, created: 1, revoked: 0, reviews: 2, flagged: 0 },
  series: [point('2025-07-09T12:00:00Z', { submitted: 40, queueDepth: 1 }), point('2025-07-10T00:00:00Z', { submitted: 80, queueDepth: 3 })],
  approvers: [{
    approver: bobRef, decisions: 50, approved: 48, denied: 2, changesRequested: 0, approveRate: 0.96, medianSecondsToDecide: 8, quickApprovals: 40,
    pending: 3, toReview: 0, assigned: 53, reviews: 0, flags: 0, series: [],
  }],
  policies: [
    { policy: 'payments', submitted: 50, byMode: [{ mode: 'SYNC_APPROVAL', count: 50 }], decided: 50, approved: 48, denied: 2, changesRequested: 0, expired: 0, approvalRate: 0.96, decisionLatencyP50: 12, levels: [], series: [] },
    { policy: null, submitted: 70, byMode: [{ mode: 'AUTO', count: 70 }], decided: 0, approved: 0, denied: 0, changesRequested: 0, expired: 0, approvalRate: null, decisionLatencyP50: null, levels: [], series: [] },
  ],
  chains: [],
  roles: [{ role: 'finance', members: 2, decisions: 50, shares: [{ approver: bobRef, decisions: 50, share: 1 }] }],
  alerts: [{
    kind: 'RUBBER_STAMPING', severity: 'WARNING', subject: 'bob',
    message: 'bob approved 48 of 50 requests (96%) in the last 24h, 40 of them within 15 s of being asked (median 8s).',
    suggestion: 'Approvals this fast suggest the requests are not being read.',
    evidence: { approverId: 'p2', approver: 'bob', decisions: 50, approveRate: 0.96, quickApprovals: 40, medianSecondsToDecide: 8 },
  }],
};

describe('metrics', () => {
  it('should show the headline numbers, the alerts with suggestion and evidence, and per approver and per policy tables', async () => {
    const fetch = schemaFetch({ metrics: () => metricsAnswer });
    const r = ok(await runInProcess(['metrics', '--window', '24h', '--bucket', '12h'], { fetch, env: TOKEN, columns: 120, now: NOW }));
    expect(fetch.calls[0]).toEqual({ operationName: 'Metrics', variables: { window: '24h', bucket: '12h' } });
    expect(r.stdout).toMatch(/^Last 24h: 2025-07-09 12:00:00Z to 2025-07-10 12:00:00Z$/m);
    expect(r.stdout).toMatch(/^Submitted:\s+120: AUTO 70 · SYNC_APPROVAL 50$/m);
    expect(r.stdout).toMatch(/^Decided by people:\s+50: 96% approved · 4% denied$/m);
    expect(r.stdout).toMatch(/^Time to decision:\s+p50 12s · p90 4m · p99 1h1m \(50 decisions\)$/m);
    expect(r.stdout).toMatch(/^Queue now:\s+3 waiting for approval, the oldest for 3h$/m);
    expect(r.stdout).toMatch(/^Standing approvals:\s+5 approved by a grant \(10% of held requests\); 1 active, 1 made, 0 revoked; 2 reviewed, 0 flagged$/m);
    expect(r.stdout).not.toMatch(/^Break-glass:/m);
    expect(r.stdout).toMatch(/^ {2}! WARNING rubber stamping: bob$/m);
    expect(r.stdout).toContain('Suggestion: Approvals this fast suggest the requests are not being read.');
    expect(r.stdout).toMatch(/Evidence: approver bob, decisions 50, approveRate 96%, quickApprovals 40, medianSecondsToDecide 8s$/m);
    expect(r.stdout).toMatch(/^bob\s+50\s+96%\s+8s\s+40\s+3\s+0\s+53$/m);
    expect(r.stdout).toMatch(/^payments\s+50\s+SYNC_APPROVAL 50\s+50\s+96%\s+0\s+12s$/m);
    expect(r.stdout).toMatch(/^\(defaults\)\s+70\s+AUTO 70\s+0/m);
    expect(r.stdout).toMatch(/^finance\s+2\s+50\s+bob \(100%\)$/m);
    expect(r.stdout).toMatch(/^Queue depth:\s+▃█$/m);
  });

  it("should pass the server's answer through with --json, and refuse a bad bucket before sending anything", async () => {
    const r = ok(await runInProcess(['metrics', '--json'], { fetch: schemaFetch({ metrics: () => metricsAnswer }), env: TOKEN }));
    expect(r.json()).toEqual(metricsAnswer);
    const fetch = schemaFetch({});
    const bad = await runInProcess(['metrics', '--bucket', 'hourly'], { fetch, env: TOKEN });
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(bad.stderr).toMatch(/"hourly" is not a duration/);
    expect(fetch.calls).toEqual([]);
  });

  it('should say so when there are no alerts', async () => {
    const r = ok(await runInProcess(['metrics'], { fetch: schemaFetch({ metrics: () => ({ ...metricsAnswer, alerts: [] }) }), env: TOKEN, now: NOW }));
    expect(r.stdout).toMatch(/^None: nothing suggests approval fatigue/m);
  });
});

const change = (id: string, over: Record<string, unknown> = {}) => ({
  actionId: id, type: 'payments.transfer', summary: `Pay ${id}`, createdAt: '2025-07-09T10:00:00Z', status: 'APPROVED',
  fromMode: 'SYNC_APPROVAL', toMode: 'AUTO', fromLevel: 'MEDIUM', toLevel: 'MEDIUM', fromScore: 40, toScore: 40,
  fromPolicy: 'payments', toPolicy: 'payments', fromRoute: 'payments', toRoute: null, noRoute: false,
  agent: { ...agentBase, id: 'g1', name: 'invoice-bot', tags: [] }, ...over,
});

const simulation = {
  since: '2025-07-03T12:00:00Z', evaluated: 200, truncated: false, changed: 30, modeChanged: 28, levelChanged: 2, routeChanged: 0, noRoute: 1, grantable: 12, breakGlassRefused: 0,
  byMode: [{ mode: 'AUTO', count: 128 }, { mode: 'SYNC_APPROVAL', count: 72 }],
  currentByMode: [{ mode: 'AUTO', count: 100 }, { mode: 'SYNC_APPROVAL', count: 100 }],
  transitions: [{ from: 'SYNC_APPROVAL', to: 'AUTO', count: 28 }],
  changes: [change('c-1'), change('c-2', { fromMode: 'SYNC_APPROVAL', toMode: 'SYNC_APPROVAL', fromLevel: 'MEDIUM', toLevel: 'HIGH', toRoute: null, noRoute: true })],
  evaluationNotes: [{ message: 'policy payments adjust[0].when: No such key: vendor', count: 3 }],
};

describe('simulate', () => {
  it('should show evaluated and changed, the mode transitions and a bounded list of changed requests', async () => {
    const fetch = schemaFetch({ simulateGovernance: () => simulation });
    const r = ok(await runInProcess(['simulate', '-f', '-', '--since', '7d', '--limit', '2'], { fetch, env: TOKEN, input: GOVERNANCE_TEMPLATE, columns: 120, now: NOW }));
    expect(fetch.calls[0]!.operationName).toBe('SimulateGovernance');
    expect(fetch.calls[0]!.variables).toMatchObject({ since: '2025-07-03T12:00:00.000Z', first: 2 });
    expect(r.stdout).toMatch(/^Replayed 200 requests since 2025-07-03 12:00:00Z against .+: 30 would be handled differently\.$/m);
    expect(r.stdout).toMatch(/^No route:\s+1 would need people but match no route: they would be denied$/m);
    expect(r.stdout).toMatch(/^AUTO\s+100\s+128\s+\+28$/m);
    expect(r.stdout).toMatch(/^SYNC_APPROVAL\s+100\s+72\s+-28$/m);
    expect(r.stdout).toMatch(/^SYNC_APPROVAL\s+AUTO\s+28\s+less of people$/m);
    expect(r.stdout).toMatch(/^Changed requests \(newest 2 of 30\)$/m);
    expect(r.stdout).toMatch(/^c-1\s+payments\.transfer\s+invoice-bot\s+SYNC_APPROVAL → AUTO\s+MEDIUM\s+payments → -\s+APPROVED\s+Pay c-1$/m);
    expect(r.stdout).toMatch(/^c-2\s+.*MEDIUM → HIGH\s+no route: denied/m);
    expect(r.stdout).toContain('28 more not listed: --limit 30 lists them');
    expect(r.stdout).toContain('12 would need an approval that a standing approval (grant) could give under the draft\'s grants blocks.');
    expect(r.stdout).toContain('! policy payments adjust[0].when: No such key: vendor (3 requests)');
  });

  it("should pass the server's answer through with --json, listing 20 changes unless told otherwise", async () => {
    const fetch = schemaFetch({ simulateGovernance: () => simulation });
    const r = ok(await runInProcess(['simulate', '-f', '-', '--json'], { fetch, env: TOKEN, input: GOVERNANCE_TEMPLATE, now: NOW }));
    expect(r.json()).toMatchObject({ ...simulation, changes: [expect.objectContaining({ actionId: "c-1", agent: { id: "g1", name: "invoice-bot" } }), expect.objectContaining({ actionId: "c-2" })] });
    expect(fetch.calls[0]!.variables).toMatchObject({ first: 20 });
  });
});
