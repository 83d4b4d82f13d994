import { describe, expect, it } from 'vitest';
import { ActionStatus, Mode } from '../shared/enums.js';
import { DeliveryStatus } from '../notifications/webhook.entity.js';
import { DECISION_LATENCY_BUCKETS, renderPrometheus, type PrometheusSnapshot } from './prometheus.js';

const now = new Date('2026-01-01T12:00:00Z');

const snapshot: PrometheusSnapshot = {
  requests: [
    { mode: Mode.AUTO, status: ActionStatus.APPROVED, reason: 'AUTO_APPROVED', count: 40, bucket: null, latencySum: null },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.PENDING, reason: null, count: 3, bucket: null, latencySum: null },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.APPROVED, reason: 'APPROVED_BY_APPROVER', count: 2, bucket: 0, latencySum: 1.5 },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.APPROVED, reason: 'APPROVED_BY_APPROVER', count: 1, bucket: 4, latencySum: 50 },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.DENIED, reason: 'DENIED_BY_APPROVER', count: 1, bucket: DECISION_LATENCY_BUCKETS.length, latencySum: 100_000 },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.EXPIRED, reason: 'TIMED_OUT', count: 2, bucket: null, latencySum: null },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.APPROVED, reason: 'BREAK_GLASS', count: 4, bucket: null, latencySum: null },
    { mode: Mode.SYNC_APPROVAL, status: ActionStatus.DENIED, reason: 'BREAK_GLASS_LIMIT', count: 1, bucket: null, latencySum: null },
  ],
  oldestPendingAt: new Date('2026-01-01T11:00:00Z'),
  reviewBacklog: 5,
  escalations: 7,
  deliveries: [
    { event: 'ASSIGNED', status: DeliveryStatus.DELIVERED, count: 9 },
    { event: 'ASSIGNED', status: DeliveryStatus.FAILED, count: 1 },
    { event: 'ESCALATED', status: DeliveryStatus.PENDING, count: 2 },
  ],
};

/** `name{labels} value` lines, as a map. */
function samples(body: string): Map<string, number> {
  return new Map(body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const at = l.lastIndexOf(' ');
    return [l.slice(0, at), Number(l.slice(at + 1))];
  }));
}

describe('renderPrometheus', () => {
  it('should expose requests, latency, queues, escalations, expiries and deliveries with the countersign_ prefix', async () => {
    const { contentType, body } = await renderPrometheus(snapshot, now);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = samples(body);
    expect(s.get('countersign_action_requests{mode="SYNC_APPROVAL",status="APPROVED"}')).toBe(7);
    expect(s.get('countersign_action_requests_submitted_total{mode="SYNC_APPROVAL"}')).toBe(14);
    expect(s.get('countersign_action_requests_submitted_total{mode="AUTO"}')).toBe(40);
    expect(s.get('countersign_queue_depth{queue="approval"}')).toBe(3);
    expect(s.get('countersign_queue_depth{queue="review"}')).toBe(5);
    expect(s.get('countersign_queue_oldest_pending_age_seconds')).toBe(3600);
    expect(s.get('countersign_escalations_total')).toBe(7);
    expect(s.get('countersign_expirations_total{reason="TIMED_OUT"}')).toBe(2);
    expect(s.get('countersign_expirations_total{reason="NO_APPROVERS_AVAILABLE"}')).toBe(0);
    expect(s.get('countersign_notification_deliveries_total{event="ASSIGNED",status="DELIVERED"}')).toBe(9);
    expect(s.get('countersign_notification_deliveries_total{event="ASSIGNED",status="FAILED"}')).toBe(1);
    expect(s.get('countersign_notification_deliveries_pending{event="ESCALATED"}')).toBe(2);
    expect(body).toContain('# TYPE countersign_decision_latency_seconds histogram');
    expect(s.get('countersign_break_glass_total{result="used"}')).toBe(4);
    expect(s.get('countersign_break_glass_total{result="limit"}')).toBe(1);
    expect(s.get('countersign_break_glass_total{result="not_allowed"}')).toBe(0);
  });

  it('should make the latency histogram cumulative, with sum and count per status', async () => {
    const s = samples((await renderPrometheus(snapshot, now)).body);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="1"}')).toBe(2);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="30"}')).toBe(2);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="60"}')).toBe(3);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="APPROVED",le="+Inf"}')).toBe(3);
    expect(s.get('countersign_decision_latency_seconds_sum{status="APPROVED"}')).toBe(51.5);
    expect(s.get('countersign_decision_latency_seconds_count{status="APPROVED"}')).toBe(3);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="DENIED",le="86400"}')).toBe(0);
    expect(s.get('countersign_decision_latency_seconds_bucket{status="DENIED",le="+Inf"}')).toBe(1);
  });

  it('should report an empty store as zeros', async () => {
    const s = samples((await renderPrometheus({ requests: [], oldestPendingAt: null, reviewBacklog: 0, escalations: 0, deliveries: [] }, now)).body);
    expect(s.get('countersign_queue_depth{queue="approval"}')).toBe(0);
    expect(s.get('countersign_queue_oldest_pending_age_seconds')).toBe(0);
    expect(s.get('countersign_escalations_total')).toBe(0);
  });
});
