import type { ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { ActionStatus, type Mode } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import { reviewBacklogSql } from '../escalation/assignments.js';
import { DeliveryStatus } from '../notifications/webhook.entity.js';
import type { Logger } from '../logger.js';

/**
 * Prometheus exposition at `/metrics` (DESIGN §6). Every value is computed from the
 * database at scrape time, so every instance reports the same global numbers however many
 * share the database (aggregate across instances with `max`, not `sum`), and a restart
 * never resets a counter. Counters count rows that only grow (submissions, escalations,
 * expiries, finished deliveries); gauges hold current state. Labels are enum values only:
 * no names or ids, so the series stay few and reveal nobody.
 */

/** Upper bounds (seconds) of the decision latency histogram: from a glance to a day. */
export const DECISION_LATENCY_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400] as const;

const HUMAN_REASONS = [StatusReason.APPROVED_BY_APPROVER, StatusReason.DENIED_BY_APPROVER, StatusReason.CHANGES_REQUESTED_BY_APPROVER];
const EXPIRY_REASONS = [StatusReason.TIMED_OUT, StatusReason.NO_APPROVERS_AVAILABLE];
/** Break-glass by how it ended, as the counter's `result` label (DESIGN §12). */
const BREAK_GLASS_RESULTS: Record<string, string> = {
  [StatusReason.BREAK_GLASS]: 'used',
  [StatusReason.BREAK_GLASS_LIMIT]: 'limit',
  [StatusReason.BREAK_GLASS_NOT_ALLOWED]: 'not_allowed',
};

/** What a scrape reads, as plain data. */
export interface PrometheusSnapshot {
  /** Requests by mode, status and reason, each with its decision latencies when a human decided it. */
  requests: {
    mode: Mode;
    status: ActionStatus;
    reason: string | null;
    count: number;
    /** Index into {@link DECISION_LATENCY_BUCKETS} of the smallest bound holding the latency (its length: above all); null unless a human decided. */
    bucket: number | null;
    latencySum: number | null;
  }[];
  oldestPendingAt: Date | null;
  /** ASYNC_REVIEW requests waiting in someone's review queue. */
  reviewBacklog: number;
  escalations: number;
  deliveries: { event: string; status: DeliveryStatus; count: number }[];
}

interface SnapshotRow {
  requests: { mode: Mode; status: ActionStatus; reason: string | null; bucket: number | null; n: number; latency_sum: number | null }[];
  oldest_pending: string | null;
  review_backlog: number;
  escalations: number;
  deliveries: { event: string; status: DeliveryStatus; n: number }[];
}

/**
 * Reads everything a scrape needs in one statement: one pass over the requests (grouped by
 * mode, status, reason and latency bucket) plus index lookups for the rest.
 */
export async function loadPrometheusSnapshot(em: EntityManager): Promise<PrometheusSnapshot> {
  const latency = 'extract(epoch from "decided_at" - "created_at")';
  const bucket = `case ${DECISION_LATENCY_BUCKETS.map((le, i) => `when ${latency} <= ${le} then ${i}`).join(' ')} else ${DECISION_LATENCY_BUCKETS.length} end`;
  const human = `"status_reason" in (${HUMAN_REASONS.map((r) => `'${r}'`).join(', ')})`;
  const [row] = await em.execute<SnapshotRow[]>(
    `select
       (select coalesce(json_agg(r), '[]'::json) from (
          select "mode", "status", "status_reason" as "reason", case when ${human} then ${bucket} end as "bucket",
                 count(*)::int as "n", sum(${latency}) filter (where ${human})::float8 as "latency_sum"
          from "action_request" group by 1, 2, 3, 4
       ) r) as "requests",
       (select min("created_at") from "action_request" where "status" = '${ActionStatus.PENDING}') as "oldest_pending",
       ${reviewBacklogSql()} as "review_backlog",
       (select count(*) from "audit_event" where "kind" = 'ESCALATED')::int as "escalations",
       (select coalesce(json_agg(d), '[]'::json) from (
          select "event", "status", count(*)::int as "n" from "notification_delivery" group by 1, 2
       ) d) as "deliveries"`,
  );
  const r = row!;
  return {
    requests: r.requests.map((q) => ({ mode: q.mode, status: q.status, reason: q.reason, count: q.n, bucket: q.bucket, latencySum: q.latency_sum })),
    oldestPendingAt: r.oldest_pending === null ? null : new Date(r.oldest_pending),
    reviewBacklog: r.review_backlog,
    escalations: r.escalations,
    deliveries: r.deliveries.map((d) => ({ event: d.event, status: d.status, count: d.n })),
  };
}

/** Renders a snapshot in the Prometheus text format, with a registry of its own (nothing is shared between scrapes). */
export async function renderPrometheus(snapshot: PrometheusSnapshot, now: Date): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const registers = [registry];

  const requests = new Gauge({ name: 'countersign_action_requests', help: 'Action requests stored, by mode and current status.', labelNames: ['mode', 'status'] as const, registers });
  const submitted = new Counter({ name: 'countersign_action_requests_submitted_total', help: 'Action requests submitted, by mode.', labelNames: ['mode'] as const, registers });
  const latency = new SnapshotHistogram(
    'countersign_decision_latency_seconds',
    'Time from submission to the human decision that ended a request, by the status it ended in.',
    'status',
  );
  registry.registerMetric(latency as unknown as Metric);
  const queue = new Gauge({ name: 'countersign_queue_depth', help: 'Requests waiting for a human: for approval (the agent waits) or for review (it already ran).', labelNames: ['queue'] as const, registers });
  const oldest = new Gauge({ name: 'countersign_queue_oldest_pending_age_seconds', help: 'How long the longest-waiting request has waited for approval (0 when none waits).', registers });
  const escalations = new Counter({ name: 'countersign_escalations_total', help: 'Escalations: a level timed out and the next level took over.', registers });
  const expirations = new Counter({ name: 'countersign_expirations_total', help: 'Requests that expired with nobody deciding (the action did not run), by reason.', labelNames: ['reason'] as const, registers });
  const deliveries = new Counter({ name: 'countersign_notification_deliveries_total', help: 'Webhook notifications delivered, or given up on after their retries (FAILED), by event.', labelNames: ['event', 'status'] as const, registers });
  const breakGlass = new Counter({ name: 'countersign_break_glass_total', help: 'Break-glass asked for: used (approved with nobody deciding), or refused over the daily limit or where the policy does not allow it.', labelNames: ['result'] as const, registers });
  const outbox = new Gauge({ name: 'countersign_notification_deliveries_pending', help: 'Webhook notifications waiting to be delivered or retried, by event.', labelNames: ['event'] as const, registers });

  let pending = 0;
  for (const reason of EXPIRY_REASONS) expirations.inc({ reason }, 0);
  for (const result of Object.values(BREAK_GLASS_RESULTS)) breakGlass.inc({ result }, 0);
  for (const r of snapshot.requests) {
    requests.inc({ mode: r.mode, status: r.status }, r.count);
    submitted.inc({ mode: r.mode }, r.count);
    if (r.status === ActionStatus.PENDING) pending += r.count;
    if (r.status === ActionStatus.EXPIRED) expirations.inc({ reason: r.reason ?? 'UNKNOWN' }, r.count);
    if (r.bucket !== null) latency.add(r.status, r.bucket, r.count, r.latencySum ?? 0);
    const broken = r.reason === null ? undefined : BREAK_GLASS_RESULTS[r.reason];
    if (broken) breakGlass.inc({ result: broken }, r.count);
  }
  queue.set({ queue: 'approval' }, pending);
  queue.set({ queue: 'review' }, snapshot.reviewBacklog);
  oldest.set(snapshot.oldestPendingAt === null ? 0 : Math.max(0, (now.getTime() - snapshot.oldestPendingAt.getTime()) / 1000));
  escalations.inc(snapshot.escalations);
  for (const d of snapshot.deliveries) {
    if (d.status === DeliveryStatus.PENDING) outbox.inc({ event: d.event }, d.count);
    else deliveries.inc({ event: d.event, status: d.status }, d.count);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * A histogram whose bucket counts come from the database. prom-client's Histogram only
 * learns by `observe()`, one value at a time; this one is filled with counts per bucket and
 * exposes itself through the same interface the registry reads (`name` and `get()`).
 */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, { counts: number[]; sum: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: string,
  ) {}

  /** Adds `count` observations that fell in bucket `index` (the length of the bounds: above them all). */
  add(labelValue: string, index: number, count: number, sum: number): void {
    let series = this.series.get(labelValue);
    if (!series) {
      series = { counts: new Array<number>(DECISION_LATENCY_BUCKETS.length + 1).fill(0), sum: 0 };
      this.series.set(labelValue, series);
    }
    series.counts[index]! += count;
    series.sum += sum;
  }

  async get() {
    const values = [...this.series.entries()].flatMap(([labelValue, { counts, sum }]) => {
      let cumulative = 0;
      const buckets = [...DECISION_LATENCY_BUCKETS, '+Inf' as const].map((le, i) => {
        cumulative += counts[i]!;
        return { metricName: `${this.name}_bucket`, labels: { [this.label]: labelValue, le }, value: cumulative };
      });
      return [
        ...buckets,
        { metricName: `${this.name}_sum`, labels: { [this.label]: labelValue }, value: sum },
        { metricName: `${this.name}_count`, labels: { [this.label]: labelValue }, value: cumulative },
      ];
    });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}

/** Answers one scrape: 200 with the exposition, or 503 when the database cannot be read. */
export function servePrometheus(em: EntityManager, res: ServerResponse, logger: Logger): void {
  loadPrometheusSnapshot(em)
    .then((snapshot) => renderPrometheus(snapshot, new Date()))
    .then(({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    })
    .catch((error: unknown) => {
      logger.warn({ err: error }, 'metrics scrape failed: database unreachable');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('# countersign: metrics unavailable, the database cannot be read\n');
    });
}
