import { describe, expect, it } from 'vitest';
import { EXAMPLE_GOVERNANCE_YAML, evaluateGovernance, parseGovernance, type BehaviourSignals, type CompiledGovernance } from '@countersign/governance';
import { ActionStatus, DataClassification, Mode, Operation, RiskLevel } from '../shared/enums.js';
import { SimulationTally, replay, storedBehaviour, type StoredRequest } from './simulate.js';

function compile(yaml: string): CompiledGovernance {
  const result = parseGovernance(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.compiled;
}

const EXAMPLE = compile(EXAMPLE_GOVERNANCE_YAML);
const QUIET: BehaviourSignals = { firstUseOfType: false, requestsLastHour: 1, baselinePerHour: 1, usualAmount: null, recentDenials: 0, recentFlags: 0 };
const AGENT = { name: 'ap-agent', tags: ['finance'] };

/** A request stored as submitAction would have stored it under EXAMPLE. */
function stored(input: StoredRequest['input'], behaviour: BehaviourSignals = QUIET, extra: Partial<StoredRequest> = {}): StoredRequest {
  const evaluation = evaluateGovernance(EXAMPLE, input, AGENT, behaviour);
  return {
    id: `req-${Math.random().toString(36).slice(2)}`, agentId: 'agent-1', agent: AGENT, createdAt: new Date('2026-01-01T00:00:00Z'),
    status: ActionStatus.APPROVED, statusReason: null, input, behaviour,
    handled: { mode: evaluation.policy.mode, level: evaluation.policy.level, score: evaluation.risk.score, policy: evaluation.policy.policy, route: evaluation.route?.name ?? null },
    ...extra,
  };
}

/** WRITE (20) + INTERNAL (5) + amount over 1,000 (10) = 35: MEDIUM, ASYNC_REVIEW under payments. */
const MEDIUM_PAYMENT = {
  type: 'payments.transfer', operation: Operation.WRITE, summary: 'Pay INV-7', dataClassification: DataClassification.INTERNAL,
  amount: { value: 2500, currency: 'EUR' }, payload: { invoice: 'INV-7' },
};
/** DELETE (35) + CONFIDENTIAL (25) = 60: HIGH, SYNC_APPROVAL by default, routed to compliance. */
const DELETION = { type: 'records.delete', operation: Operation.DELETE, summary: 'Delete customer 42', dataClassification: DataClassification.CONFIDENTIAL };

describe('replay', () => {
  it('should tell which requests a standing approval could cover under the draft', () => {
    const withGrants = compile(EXAMPLE_GOVERNANCE_YAML.replace('    consequences:\n', '    grants: { allowed: true, maxLevel: HIGH }\n    consequences:\n'));
    /** WRITE (20) + CONFIDENTIAL (25) + external (25) = 70: HIGH, SYNC_APPROVAL under payments. */
    const high = stored({ ...MEDIUM_PAYMENT, dataClassification: DataClassification.CONFIDENTIAL, destination: { system: 'swift', external: true }, amount: { value: 900, currency: 'EUR' } });
    expect(replay(withGrants, high)).toMatchObject({ mode: Mode.SYNC_APPROVAL, level: RiskLevel.HIGH, grantable: true });
    expect(replay(EXAMPLE, high).grantable).toBe(false);
    expect(replay(withGrants, stored(MEDIUM_PAYMENT)).grantable).toBe(false);
    expect(replay(withGrants, stored(DELETION)).grantable).toBe(false);
  });

  it('should change nothing when the draft is the document that decided', () => {
    for (const request of [stored(MEDIUM_PAYMENT), stored(DELETION)]) {
      expect(replay(EXAMPLE, request)).toMatchObject({ modeChanged: false, levelChanged: false, routeChanged: false, noRoute: false });
    }
  });

  it('should score with the behaviour signals the request had, not the agent\'s history now', () => {
    // READ (0) + INTERNAL (5) = 5 points; a recent denial adds 15, and a first use of the type another 15.
    const request = stored({ type: 'reports.read', operation: Operation.READ, summary: 'Read', dataClassification: DataClassification.INTERNAL }, { ...QUIET, recentDenials: 1, firstUseOfType: true });
    expect(request.handled).toMatchObject({ score: 35, level: RiskLevel.MEDIUM, mode: Mode.ASYNC_REVIEW });
    expect(replay(EXAMPLE, request)).toMatchObject({ score: 35, modeChanged: false });
  });

  it('should report a stricter draft moving a request to another level and mode', () => {
    const stricter = compile(EXAMPLE_GOVERNANCE_YAML.replace('levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 }', 'levels: { MEDIUM: 20, HIGH: 30, CRITICAL: 85 }'));
    expect(replay(stricter, stored(MEDIUM_PAYMENT))).toMatchObject({
      level: RiskLevel.HIGH, mode: Mode.SYNC_APPROVAL, score: 35, modeChanged: true, levelChanged: true, routeChanged: false, route: 'payments',
    });
  });

  it('should count a break-glass approval the draft would deny, and only that', () => {
    const allowing = compile(EXAMPLE_GOVERNANCE_YAML.replace('    consequences:\n', '    breakGlass: { allowed: true, maxPerDay: 1 }\n    consequences:\n'));
    const big = { ...MEDIUM_PAYMENT, dataClassification: DataClassification.CONFIDENTIAL, destination: { system: 'swift', external: true }, amount: { value: 25000, currency: 'USD' } };
    const broken = stored(big, QUIET, { statusReason: 'BREAK_GLASS' });
    expect(broken.handled.mode).toBe(Mode.SYNC_APPROVAL);
    expect(replay(allowing, broken).breakGlassRefused).toBe(false);
    expect(replay(EXAMPLE, broken).breakGlassRefused).toBe(true);
    // An approval that was not break-glass is not counted, whatever the draft.
    expect(replay(EXAMPLE, stored(big, QUIET, { statusReason: 'APPROVED_BY_APPROVER' })).breakGlassRefused).toBe(false);
  });

  it('should report a route change, and a request the draft could route nowhere', () => {
    const noCatchAll = compile(EXAMPLE_GOVERNANCE_YAML.replace("  - { name: everything-else, priority: 0, when: 'true', chain: compliance }\n", ''));
    expect(replay(noCatchAll, stored(DELETION))).toMatchObject({ modeChanged: false, routeChanged: true, noRoute: true, route: null });
  });

  it('should not call a suspended agent\'s unrouted request rerouted', () => {
    const request = stored(DELETION, QUIET, { status: ActionStatus.DENIED, statusReason: 'AGENT_SUSPENDED' });
    request.handled.route = null;
    expect(replay(EXAMPLE, request)).toMatchObject({ routeChanged: false, noRoute: false });
  });

  it('should count a condition that fails to evaluate as false and say so', () => {
    const fragile = compile(EXAMPLE_GOVERNANCE_YAML.replace("when: 'has(action.amount) && action.amount.value > 1000000.0'", "when: 'action.amount.value > 1000000.0'"));
    const refund = { type: 'payments.refund', operation: Operation.WRITE, summary: 'Refund', dataClassification: DataClassification.INTERNAL, destination: { system: 'bank', external: false } };
    const outcome = replay(fragile, stored(refund));
    expect(outcome.notes).toEqual([expect.stringContaining('policy payments adjust[0].when')]);
  });
});

describe('SimulationTally', () => {
  it('should count changes, mode transitions and notes, and list changes up to the limit', () => {
    const stricter = compile(EXAMPLE_GOVERNANCE_YAML.replace('MEDIUM: ASYNC_REVIEW, HIGH', 'MEDIUM: SYNC_APPROVAL, HIGH'));
    const tally = new SimulationTally(2);
    const requests = [stored(MEDIUM_PAYMENT), stored(MEDIUM_PAYMENT), stored(MEDIUM_PAYMENT), stored(DELETION)];
    for (const request of requests) tally.record(request, replay(stricter, request));
    const result = tally.result(new Date('2026-01-01T00:00:00Z'), false);
    expect(result).toMatchObject({ evaluated: 4, changed: 3, modeChanged: 3, levelChanged: 0, routeChanged: 0, noRoute: 0, truncated: false });
    expect(result.transitions).toEqual([{ from: Mode.ASYNC_REVIEW, to: Mode.SYNC_APPROVAL, count: 3 }]);
    expect(result.byMode).toEqual([
      { mode: Mode.AUTO, count: 0 }, { mode: Mode.ASYNC_REVIEW, count: 0 }, { mode: Mode.SYNC_APPROVAL, count: 4 }, { mode: Mode.BLOCK, count: 0 },
    ]);
    expect(result.currentByMode.find((m) => m.mode === Mode.ASYNC_REVIEW)?.count).toBe(3);
    expect(result.changes).toHaveLength(2);
    expect(result.changes[0]).toMatchObject({ fromMode: Mode.ASYNC_REVIEW, toMode: Mode.SYNC_APPROVAL, fromLevel: RiskLevel.MEDIUM, toLevel: RiskLevel.MEDIUM, toRoute: 'payments' });
  });
});

describe('storedBehaviour', () => {
  it('should read stored signals, and treat a missing or malformed value as no signals', () => {
    expect(storedBehaviour({ ...QUIET, usualAmount: { p50: 10, p95: 20, samples: 7 } })).toEqual({ ...QUIET, usualAmount: { p50: 10, p95: 20, samples: 7 } });
    expect(storedBehaviour(null)).toMatchObject({ firstUseOfType: false, recentDenials: 0, baselinePerHour: null });
    expect(storedBehaviour({ recentDenials: 'many' }).recentDenials).toBe(0);
  });
});
