import { describe, expect, it } from 'vitest';
import { RiskLevel } from '../shared/enums.js';
import { AlertKind, AlertSeverity, detectAlerts, risingTrend, seconds } from './alerts.js';
import type { ApproverMetrics, ChainMetrics, MetricsPoint, MetricsReport, PolicyMetrics, RoleMetrics } from './report.js';

const context = { period: 'in the last 24h', levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 } };

function point(i: number, values: Partial<MetricsPoint> = {}): MetricsPoint {
  return {
    at: new Date(Date.UTC(2026, 0, 1, i)), submitted: 0, auto: 0, asyncReview: 0, syncApproval: 0, blocked: 0, decided: 0, approved: 0,
    denied: 0, changesRequested: 0, expired: 0, escalations: 0, decisionLatencyP50: null, decisionLatencyP90: null, queueDepth: 0, ...values,
  };
}

function report(values: Partial<MetricsReport> = {}): MetricsReport {
  return {
    window: '24h', bucket: '1h', since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-01-02T00:00:00Z'),
    submitted: 0, byMode: [], byStatus: [], byModeAndStatus: [], pending: 0, oldestPendingSince: null, unreviewed: 0,
    decided: 0, approved: 0, denied: 0, changesRequested: 0, approvalRate: null, denialRate: null, changesRequestedRate: null,
    decisionLatency: { count: 0, p50: null, p90: null, p95: null, p99: null, mean: null },
    escalations: 0, escalated: 0, escalationRate: null, expired: 0, expiryRate: null, breakGlassUses: 0, breakGlassRefused: 0,
    series: Array.from({ length: 8 }, (_, i) => point(i)), approvers: [], policies: [], chains: [], roles: [],
    ...values,
  };
}

function approver(values: Partial<ApproverMetrics>): ApproverMetrics {
  return {
    approverId: 'a1', name: 'fiona', roles: ['finance'], active: true, decisions: 0, approved: 0, denied: 0, changesRequested: 0, approveRate: null,
    medianSecondsToDecide: null, quickApprovals: 0, pending: 0, toReview: 0, assigned: 0, reviews: 0, flags: 0, series: [], ...values,
  };
}

function policy(values: Partial<PolicyMetrics>): PolicyMetrics {
  return {
    policy: 'payments', submitted: 0, byMode: [], decided: 0, approved: 0, denied: 0, changesRequested: 0, expired: 0, approvalRate: null,
    decisionLatencyP50: null, levels: [], series: [], ...values,
  };
}

function chain(values: Partial<ChainMetrics>): ChainMetrics {
  return {
    chain: 'finance', resolved: 0, decided: 0, expired: 0, timedOut: 0, noApproversAvailable: 0, escalated: 0, expiryRate: null,
    escalationRate: null, decisionLatencyP50: null, ...values,
  };
}

describe('detectAlerts', () => {
  it('should raise nothing on a quiet, healthy report', () => {
    expect(detectAlerts(report(), context)).toEqual([]);
  });

  describe('rubber-stamping', () => {
    const stamper = approver({ decisions: 20, approved: 20, approveRate: 1, quickApprovals: 18, medianSecondsToDecide: 4 });

    it('should flag an approver who approves nearly everything within seconds, with the numbers', () => {
      const [alert] = detectAlerts(report({ approvers: [stamper] }), context);
      expect(alert).toMatchObject({ kind: AlertKind.RUBBER_STAMPING, severity: AlertSeverity.WARNING, subject: 'fiona' });
      expect(alert!.message).toBe('fiona approved 20 of 20 requests (100%) in the last 24h, 18 of them within 15 s of being asked (median 4 s).');
      expect(alert!.suggestion).toMatch(/ASYNC_REVIEW/);
      expect(alert!.evidence).toMatchObject({ decisions: 20, approved: 20, quickApprovals: 18, quickSeconds: 15, medianSecondsToDecide: 4 });
    });

    it.each([
      ['too few decisions to judge', { decisions: 9, approved: 9, quickApprovals: 9 }],
      ['someone who also denies', { decisions: 20, approved: 18, approveRate: 0.9, quickApprovals: 18 }],
      ['someone who takes their time', { quickApprovals: 10 }],
    ])('should not flag %s', (_, values) => {
      expect(detectAlerts(report({ approvers: [{ ...stamper, ...values }] }), context)).toEqual([]);
    });
  });

  describe('SYNC requests nearly always approved', () => {
    const lenient = policy({
      decided: 40, approved: 39, approvalRate: 0.975, decisionLatencyP50: 300,
      levels: [
        { level: RiskLevel.CRITICAL, decided: 10, approved: 9, approvalRate: 0.9 },
        { level: RiskLevel.HIGH, decided: 30, approved: 30, approvalRate: 1 },
      ],
    });

    it('should suggest relaxing the least risky level that is always approved, naming its threshold', () => {
      const [alert] = detectAlerts(report({ policies: [lenient] }), context);
      expect(alert).toMatchObject({ kind: AlertKind.SYNC_ALWAYS_APPROVED, severity: AlertSeverity.INFO, subject: 'payments' });
      expect(alert!.message).toBe('Policy payments: 39 of 40 requests held for approval (98%) were approved in the last 24h, after a median wait of 5 min.');
      expect(alert!.suggestion).toContain('modes: { HIGH: ASYNC_REVIEW } in policy payments');
      expect(alert!.suggestion).toContain('raise riskModel.levels.HIGH above 60');
      expect(alert!.evidence).toMatchObject({ decided: 40, approved: 39, levelThreshold: 60 });
    });

    it('should stay quiet while humans still deny some', () => {
      expect(detectAlerts(report({ policies: [{ ...lenient, approved: 36, approvalRate: 0.9 }] }), context)).toEqual([]);
    });
  });

  describe('trends', () => {
    it('should flag a growing approval queue', () => {
      const series = [2, 3, 2, 4, 8, 10, 12, 14].map((queueDepth, i) => point(i, { queueDepth }));
      const alerts = detectAlerts(report({ series, pending: 14 }), context);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ kind: AlertKind.QUEUE_GROWING, evidence: { earlier: 2.75, later: 11, points: 8, pendingNow: 14 } });
      expect(alerts[0]!.message).toBe('The approval queue grew in the last 24h: from 2.8 to 11 waiting requests on average (14 now).');
    });

    it('should flag decisions getting slower, ignoring buckets without decisions', () => {
      const latencies = [60, null, 90, 80, null, 400, 500, 600];
      const series = latencies.map((decisionLatencyP50, i) => point(i, { decisionLatencyP50 }));
      const [alert] = detectAlerts(report({ series }), context);
      expect(alert).toMatchObject({ kind: AlertKind.DECISIONS_SLOWING, evidence: { points: 6, later: 500 } });
      expect(alert!.evidence.earlier).toBeCloseTo(230 / 3);
      expect(alert!.message).toBe('Decisions are getting slower in the last 24h: the median time to a decision rose from 76.7 s to 8.3 min.');
    });

    it('should not call a passed spike a trend', () => {
      expect(risingTrend([2, 2, 2, 20, 20, 20, 20, 1], 4, 1.5, 5)).toBeNull();
    });

    it('should need enough points', () => {
      expect(risingTrend([1, null, 10], 4, 1.5, 5)).toBeNull();
    });
  });

  describe('load imbalance', () => {
    const role = (shares: [string, number][], members: number): RoleMetrics => {
      const decisions = shares.reduce((sum, [, n]) => sum + n, 0);
      return { role: 'finance', members, decisions, shares: shares.map(([name, n]) => ({ approverId: name, name, decisions: n, share: n / decisions })) };
    };

    it('should flag one approver carrying most of a role', () => {
      const [alert] = detectAlerts(report({ roles: [role([['fiona', 18], ['frank', 2]], 3)] }), context);
      expect(alert).toMatchObject({ kind: AlertKind.LOAD_IMBALANCE, subject: 'finance' });
      expect(alert!.message).toBe('fiona made 18 of the 20 decisions (90%) for role finance in the last 24h, a role 3 active approvers hold.');
    });

    it('should accept an uneven split between two people that is not lopsided, and a role only one person holds', () => {
      expect(detectAlerts(report({ roles: [role([['fiona', 14], ['frank', 6]], 2)] }), context)).toEqual([]);
      expect(detectAlerts(report({ roles: [role([['fiona', 20]], 1)] }), context)).toEqual([]);
    });
  });

  describe('expiring requests', () => {
    it('should warn on any expiry, naming the chain, and turn critical above 10%', () => {
      const warning = detectAlerts(report({ decided: 95, expired: 5, expiryRate: 0.05, chains: [chain({ expired: 5, timedOut: 5, resolved: 100 })] }), context);
      expect(warning[0]).toMatchObject({ kind: AlertKind.REQUESTS_EXPIRING, severity: AlertSeverity.WARNING, subject: 'finance' });
      expect(warning[0]!.message).toBe('5 of 100 requests held for approval (5%) expired with nobody deciding in the last 24h (chain finance: 5).');
      expect(warning[0]!.suggestion).toContain('Lengthen the timeouts of chain finance');

      const critical = detectAlerts(report({ decided: 8, expired: 2, expiryRate: 0.2, chains: [chain({ expired: 2, noApproversAvailable: 2, resolved: 10 })] }), context);
      expect(critical[0]).toMatchObject({ severity: AlertSeverity.CRITICAL });
      expect(critical[0]!.suggestion).toContain('Nobody was available in chain finance');
    });
  });

  it('should list the most severe first', () => {
    const alerts = detectAlerts(report({
      decided: 8, expired: 2, expiryRate: 0.2, chains: [chain({ expired: 2, timedOut: 2, resolved: 10 })],
      approvers: [approver({ decisions: 20, approved: 20, approveRate: 1, quickApprovals: 20, medianSecondsToDecide: 2 })],
      policies: [policy({ decided: 20, approved: 20, approvalRate: 1 })],
    }), context);
    expect(alerts.map((a) => a.severity)).toEqual([AlertSeverity.CRITICAL, AlertSeverity.WARNING, AlertSeverity.INFO]);
  });
});

describe('seconds', () => {
  it.each([[4, '4 s'], [12.34, '12.3 s'], [300, '5 min'], [5400, '1.5 h'], [null, 'n/a']])('should show %s as %s', (value, text) => {
    expect(seconds(value)).toBe(text);
  });
});
