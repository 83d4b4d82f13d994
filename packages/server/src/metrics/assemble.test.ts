import { describe, expect, it } from 'vitest';
import { ActionStatus, Mode, RiskLevel } from '../shared/enums.js';
import { assemble, type ApproverRow, type ResolvedRow, type Rows } from './assemble.js';
import { resolveRange } from './window.js';

/** Three one-hour buckets: 09:00, 10:00 and 11:00 on 10 March 2026. */
const range = resolveRange({ window: '3h', bucket: '1h', until: new Date('2026-03-10T12:00:00Z') }, new Date('2026-03-10T12:00:00Z'));
const bucket = (i: number) => String(range.firstBucket + i);

function rows(partial: Partial<Rows> = {}): Rows {
  return {
    submitted: [], resolved: [], escalations: [], approvers: [], load: [], reviews: [],
    current: { pending: 0, oldest_pending: null, unreviewed: 0 }, depth: [], directory: [],
    ...partial,
  };
}

/** A resolutions row; by default the total over every bucket, policy, chain and level. */
function resolved(partial: Partial<ResolvedRow>): ResolvedRow {
  return {
    all_buckets: 1, all_policies: 1, all_chains: 1, all_levels: 1, bucket: null, policy: null, chain: null, risk_level: null,
    decided: 0, approved: 0, denied: 0, changes: 0, expired: 0, timed_out: 0, no_approvers: 0, escalated: 0, latency: null, mean: null,
    ...partial,
  };
}

/** An approver's decisions row; by default their total over every bucket and role. */
function decisions(partial: Partial<ApproverRow> & { approver_id: string }): ApproverRow {
  return { all_buckets: 1, all_roles: 1, bucket: null, via_role: null, decisions: 0, approved: 0, denied: 0, changes: 0, quick: 0, median: null, ...partial };
}

describe('assembling the metrics report', () => {
  it('reports an empty window as zero counts, with no rate and no latency rather than zeros', () => {
    const report = assemble(range, rows());
    expect(report).toMatchObject({
      submitted: 0, decided: 0, approved: 0, expired: 0, escalations: 0, pending: 0, oldestPendingSince: null,
      approvalRate: null, denialRate: null, changesRequestedRate: null, expiryRate: null, escalationRate: null,
      decisionLatency: { count: 0, p50: null, p90: null, p95: null, p99: null, mean: null },
      approvers: [], policies: [], chains: [], roles: [],
    });
    expect(report.byMode).toEqual(Object.values(Mode).map((mode) => ({ mode, count: 0 })));
    expect(report.series.map((p) => [p.at.toISOString(), p.submitted, p.decided, p.queueDepth, p.decisionLatencyP50])).toEqual([
      ['2026-03-10T09:00:00.000Z', 0, 0, 0, null],
      ['2026-03-10T10:00:00.000Z', 0, 0, 0, null],
      ['2026-03-10T11:00:00.000Z', 0, 0, 0, null],
    ]);
  });

  it('gives rates over human decisions, and expiry and escalation rates over everything resolved', () => {
    const report = assemble(range, rows({
      resolved: [resolved({ decided: 4, approved: 3, denied: 1, expired: 1, escalated: 2, latency: [30, 90, 95, 99], mean: 45 })],
    }));
    expect(report).toMatchObject({
      decided: 4, approved: 3, denied: 1, changesRequested: 0, expired: 1, escalated: 2,
      approvalRate: 0.75, denialRate: 0.25, changesRequestedRate: 0,
      expiryRate: 0.2, escalationRate: 0.4,
      decisionLatency: { count: 4, p50: 30, p90: 90, p95: 95, p99: 99, mean: 45 },
    });
  });

  it('counts break-glass uses and refusals among the submissions', () => {
    const report = assemble(range, rows({
      submitted: [
        { mode: Mode.SYNC_APPROVAL, status: ActionStatus.APPROVED, policy: 'payments', bucket: bucket(0), count: 3, break_glass: 2, break_glass_refused: 0 },
        { mode: Mode.SYNC_APPROVAL, status: ActionStatus.DENIED, policy: 'payments', bucket: bucket(1), count: 4, break_glass: 0, break_glass_refused: 3 },
        { mode: Mode.AUTO, status: ActionStatus.APPROVED, policy: null, bucket: bucket(1), count: 5 },
      ],
    }));
    expect([report.breakGlassUses, report.breakGlassRefused]).toEqual([2, 3]);
    expect(assemble(range, rows({})).breakGlassUses).toBe(0);
  });

  it('counts submissions by mode and status, and plots each in the bucket it was created in', () => {
    const report = assemble(range, rows({
      submitted: [
        { mode: Mode.AUTO, status: ActionStatus.APPROVED, policy: 'reads', bucket: bucket(0), count: 5 },
        { mode: Mode.AUTO, status: ActionStatus.APPROVED, policy: 'reads', bucket: bucket(2), count: 2 },
        { mode: Mode.SYNC_APPROVAL, status: ActionStatus.PENDING, policy: 'payments', bucket: bucket(2), count: 3 },
      ],
      escalations: [{ bucket: bucket(1), count: 2 }, { bucket: bucket(2), count: 1 }],
      resolved: [resolved({ all_buckets: 0, bucket: bucket(1), decided: 2, approved: 1, latency: [40, 80, 90, 99] })],
    }));
    expect(report.submitted).toBe(10);
    expect(report.byMode.find((m) => m.mode === Mode.AUTO)!.count).toBe(7);
    expect(report.byModeAndStatus).toEqual([
      { mode: Mode.AUTO, status: ActionStatus.APPROVED, count: 7 },
      { mode: Mode.SYNC_APPROVAL, status: ActionStatus.PENDING, count: 3 },
    ]);
    expect(report.series.map((p) => [p.submitted, p.auto, p.syncApproval, p.escalations, p.decided, p.decisionLatencyP50])).toEqual([
      [5, 5, 0, 0, 0, null],
      [0, 0, 0, 2, 2, 40],
      [5, 2, 3, 1, 0, null],
    ]);
    // The total of escalation events is the sum of the series.
    expect(report.escalations).toBe(3);
  });

  it('plots the queue depth at the end of each bucket, starting from what was waiting before the window', () => {
    const report = assemble(range, rows({
      depth: [{ bucket: String(range.firstBucket - 1), delta: 2 }, { bucket: bucket(0), delta: 1 }, { bucket: bucket(2), delta: -3 }],
    }));
    expect(report.series.map((p) => p.queueDepth)).toEqual([3, 3, 0]);
  });

  it('gives each approver their decisions, approve rate and median time to decide, with their queue and reviews, busiest first', () => {
    const report = assemble(range, rows({
      directory: [
        { id: 'a1', name: 'Ada', roles: ['finance'], active: true },
        { id: 'a2', name: 'Bo', roles: ['finance'], active: true },
      ],
      approvers: [
        decisions({ approver_id: 'a1', decisions: 4, approved: 3, denied: 1, quick: 2, median: 12.5 }),
        decisions({ approver_id: 'a1', all_buckets: 0, bucket: bucket(1), decisions: 4, approved: 3 }),
      ],
      load: [{ approver_id: 'a2', pending: 6, to_review: 1, assigned: 7 }, { approver_id: 'gone', pending: 1, to_review: 0, assigned: 1 }],
      reviews: [{ approver_id: 'a1', reviews: 2, flags: 1 }],
    }));
    expect(report.approvers.map((a) => [a.name, a.decisions, a.approveRate, a.medianSecondsToDecide, a.quickApprovals, a.pending, a.reviews, a.flags])).toEqual([
      ['Ada', 4, 0.75, 12.5, 2, 0, 2, 1],
      ['Bo', 0, null, null, 0, 6, 0, 0],
      // Someone no longer in the directory is shown by id, as inactive.
      ['gone', 0, null, null, 0, 1, 0, 0],
    ]);
    expect(report.approvers[2].active).toBe(false);
    expect(report.approvers[0].series.map((p) => p.decisions)).toEqual([0, 4, 0]);
  });

  it('splits each role\'s decisions between the members who took them, counting the active members', () => {
    const report = assemble(range, rows({
      directory: [
        { id: 'a1', name: 'Ada', roles: ['finance'], active: true },
        { id: 'a2', name: 'Bo', roles: ['finance'], active: true },
        { id: 'a3', name: 'Cy', roles: ['finance'], active: false },
      ],
      approvers: [
        decisions({ approver_id: 'a1', all_roles: 0, via_role: 'finance', decisions: 3 }),
        decisions({ approver_id: 'a2', all_roles: 0, via_role: 'finance', decisions: 1 }),
        // Decisions not reached through a role (named approvers) belong to no role.
        decisions({ approver_id: 'a2', all_roles: 0, via_role: null, decisions: 5 }),
      ],
    }));
    expect(report.roles).toEqual([{
      role: 'finance', members: 2, decisions: 4,
      shares: [{ approverId: 'a1', name: 'Ada', decisions: 3, share: 0.75 }, { approverId: 'a2', name: 'Bo', decisions: 1, share: 0.25 }],
    }]);
  });

  it('reports policies busiest first with their approval rate and the levels that were decided, and chains with their expiry and escalation rates', () => {
    const report = assemble(range, rows({
      submitted: [
        { mode: Mode.SYNC_APPROVAL, status: ActionStatus.APPROVED, policy: 'payments', bucket: bucket(0), count: 4 },
        { mode: Mode.AUTO, status: ActionStatus.APPROVED, policy: null, bucket: bucket(0), count: 1 },
      ],
      resolved: [
        resolved({ all_policies: 0, policy: 'payments', decided: 4, approved: 1, latency: [60, 60, 60, 60] }),
        resolved({ all_policies: 0, all_levels: 0, policy: 'payments', risk_level: RiskLevel.CRITICAL, decided: 4, approved: 1 }),
        resolved({ all_policies: 0, all_levels: 0, policy: 'payments', risk_level: RiskLevel.HIGH, decided: 0, approved: 0 }),
        resolved({ all_chains: 0, chain: 'finance', decided: 3, expired: 1, timed_out: 1, escalated: 2, latency: [60, 60, 60, 60] }),
      ],
    }));
    expect(report.policies.map((p) => [p.policy, p.submitted, p.decided, p.approvalRate, p.decisionLatencyP50])).toEqual([
      ['payments', 4, 4, 0.25, 60],
      [null, 1, 0, null, null],
    ]);
    expect(report.policies[0].levels).toEqual([{ level: RiskLevel.CRITICAL, decided: 4, approved: 1, approvalRate: 0.25 }]);
    expect(report.policies[0].byMode.find((m) => m.mode === Mode.SYNC_APPROVAL)!.count).toBe(4);
    expect(report.chains).toEqual([{
      chain: 'finance', resolved: 4, decided: 3, expired: 1, timedOut: 1, noApproversAvailable: 0, escalated: 2,
      expiryRate: 0.25, escalationRate: 0.5, decisionLatencyP50: 60,
    }]);
  });
});
