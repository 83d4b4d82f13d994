import type { EntityManager } from '@mikro-orm/postgresql';
import { ASSIGNMENT_ENTRIES as ENTRIES } from '../escalation/assignments.js';
import { ActionStatus, Mode, RiskLevel, Verdict, assertNever } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import { countsByMode, countsByStatus } from '../actions/counts.js';
import type { GovernanceCache } from '../governance/governance.service.js';
import { ALERT_THRESHOLDS, detectAlerts, type Alert } from './alerts.js';
import { bucketStarts, type MetricsRange } from './window.js';
import {
  rate, type ApproverMetrics, type ChainMetrics, type LatencySummary, type MetricsPoint, type MetricsReport, type ModeStatusCount,
  type PolicyMetrics, type RoleMetrics,
} from './report.js';

const HUMAN_REASONS = [StatusReason.APPROVED_BY_APPROVER, StatusReason.DENIED_BY_APPROVER, StatusReason.CHANGES_REQUESTED_BY_APPROVER];
const HUMAN_REASONS_SQL = `(${HUMAN_REASONS.map((r) => `'${r}'`).join(', ')})`;
/** Bucket index of a timestamp column: bucket `i` covers [i·size, (i+1)·size) seconds since the epoch. */
const bucketOf = (column: string) => `floor(extract(epoch from ${column}) / ?)::bigint`;

interface SubmittedRow { mode: Mode; status: ActionStatus; policy: string | null; b: string; n: number }

interface ResolvedRow {
  gb: number; gp: number; gc: number; gl: number;
  b: string | null; policy: string | null; chain: string | null; risk_level: RiskLevel | null;
  decided: number; approved: number; denied: number; changes: number; expired: number; timed_out: number; no_approvers: number; escalated: number;
  latency: number[] | null; mean: number | null;
}

interface ApproverRow {
  gb: number; gr: number;
  approver_id: string; b: string | null; via_role: string | null;
  decisions: number; approved: number; denied: number; changes: number; quick: number; median: number | null;
}

interface LoadRow { approver_id: string; pending: number; to_review: number; assigned: number }
interface ReviewRow { approver_id: string; reviews: number; flags: number }
interface NowRow { pending: number; oldest_pending: string | Date | null; unreviewed: number }
interface DeltaRow { b: string; delta: number }
interface CountRow { b: string; n: number }
interface DirectoryRow { id: string; name: string; roles: string[]; active: boolean }

/** A metrics report with its alerts. */
export type MetricsWithAlerts = MetricsReport & { alerts: Alert[] };

/**
 * Computes `metrics(window, bucket)` (DESIGN §4, issue 7): volumes, outcomes, latency,
 * queue depth, escalations and expiries, per approver, policy, chain and role, as totals
 * and per bucket, then the fatigue alerts those numbers raise. About ten aggregate queries,
 * run in parallel; each reads one window of one table (plus current queue state), so the
 * cost follows the activity in the window, not the age of the store.
 */
export async function computeMetrics(em: EntityManager, governance: GovernanceCache, range: MetricsRange, now: Date): Promise<MetricsWithAlerts> {
  const { since, until, bucketSeconds: size } = range;
  const [submitted, resolved, escalations, approvers, load, reviews, [current], depth, directory, active] = await Promise.all([
    em.execute<SubmittedRow[]>(
      `select "mode", "status", "policy", ${bucketOf('"created_at"')} as "b", count(*)::int as "n"
       from "action_request" where "created_at" >= ? and "created_at" < ?
       group by 1, 2, 3, 4`,
      [size, since, until],
    ),
    // Requests held for approval that ended in the window: decided by a human, or expired.
    em.execute<ResolvedRow[]>(
      `with r as (
         select a."policy", a."chain", a."risk_level", a."status", a."status_reason", ${bucketOf('a."decided_at"')} as "b",
                extract(epoch from a."decided_at" - a."created_at")::float8 as "latency",
                a."status_reason" in ${HUMAN_REASONS_SQL} as "human",
                exists (select 1 from "audit_event" e where e."subject_id" = a."id"::text and e."kind" = 'ESCALATED') as "escalated"
         from "action_request" a
         where a."decided_at" >= ? and a."decided_at" < ? and (a."status_reason" in ${HUMAN_REASONS_SQL} or a."status" = '${ActionStatus.EXPIRED}')
       )
       select grouping("b")::int as "gb", grouping("policy")::int as "gp", grouping("chain")::int as "gc", grouping("risk_level")::int as "gl",
         "b", "policy", "chain", "risk_level",
         count(*) filter (where "human")::int as "decided",
         count(*) filter (where "status_reason" = '${StatusReason.APPROVED_BY_APPROVER}')::int as "approved",
         count(*) filter (where "status_reason" = '${StatusReason.DENIED_BY_APPROVER}')::int as "denied",
         count(*) filter (where "status_reason" = '${StatusReason.CHANGES_REQUESTED_BY_APPROVER}')::int as "changes",
         count(*) filter (where "status" = '${ActionStatus.EXPIRED}')::int as "expired",
         count(*) filter (where "status" = '${ActionStatus.EXPIRED}' and "status_reason" = '${StatusReason.TIMED_OUT}')::int as "timed_out",
         count(*) filter (where "status" = '${ActionStatus.EXPIRED}' and "status_reason" = '${StatusReason.NO_APPROVERS_AVAILABLE}')::int as "no_approvers",
         count(*) filter (where "escalated")::int as "escalated",
         percentile_cont(array[0.5, 0.9, 0.95, 0.99]) within group (order by "latency") filter (where "human") as "latency",
         avg("latency") filter (where "human") as "mean"
       from r
       group by grouping sets ((), ("b"), ("policy"), ("policy", "b"), ("policy", "risk_level"), ("chain"))`,
      [size, since, until],
    ),
    em.execute<CountRow[]>(
      `select ${bucketOf('"at"')} as "b", count(*)::int as "n" from "audit_event"
       where "kind" = 'ESCALATED' and "at" >= ? and "at" < ? group by 1`,
      [size, since, until],
    ),
    // Each decision with the time since its approver was assigned, and the role that reached them.
    em.execute<ApproverRow[]>(
      `with d as (
         select d."approver_id", d."verdict", ${bucketOf('d."at"')} as "b", s."via_role",
                extract(epoch from d."at" - coalesce(s."created_at", a."created_at"))::float8 as "seconds"
         from "decision" d
         join "action_request" a on a."id" = d."action_id"
         left join lateral (
           select x."created_at", x."via_role" from ${ENTRIES} x
           where x."action_id" = d."action_id" and x."approver_id" = d."approver_id" and x."kind" = 'APPROVAL' and x."created_at" <= d."at"
           order by x."created_at" desc limit 1
         ) s on true
         where d."at" >= ? and d."at" < ?
       )
       select grouping("b")::int as "gb", grouping("via_role")::int as "gr", "approver_id", "b", "via_role",
         count(*)::int as "decisions",
         count(*) filter (where "verdict" = '${Verdict.APPROVE}')::int as "approved",
         count(*) filter (where "verdict" = '${Verdict.DENY}')::int as "denied",
         count(*) filter (where "verdict" = '${Verdict.REQUEST_CHANGES}')::int as "changes",
         count(*) filter (where "verdict" = '${Verdict.APPROVE}' and "seconds" <= ?)::int as "quick",
         percentile_cont(0.5) within group (order by "seconds") as "median"
       from d
       group by grouping sets (("approver_id"), ("approver_id", "b"), ("approver_id", "via_role"))`,
      [size, since, until, ALERT_THRESHOLDS.rubberStamping.quickSeconds],
    ),
    em.execute<LoadRow[]>(
      // Rows one by one; group assignments counted per set, then once for each member, less
      // the groups a member's own part of ended (their inactive row is among the rows).
      `with "g" as (
         select "id", "set_id", "active" and "kind" = 'APPROVAL' as "p", "active" and "kind" = 'REVIEW' as "r",
                "kind" = 'APPROVAL' and "created_at" >= ? and "created_at" < ? as "w"
         from "group_assignment" where "active" or ("created_at" >= ? and "created_at" < ?)
       ), "per_set" as (
         select "set_id", count(*) filter (where "p") as "p", count(*) filter (where "r") as "r", count(*) filter (where "w") as "w" from "g" group by 1
       )
       select "approver_id", sum("p")::int as "pending", sum("r")::int as "to_review", sum("w")::int as "assigned" from (
         select "approver_id",
           count(*) filter (where "active" and "kind" = 'APPROVAL') as "p",
           count(*) filter (where "active" and "kind" = 'REVIEW') as "r",
           count(*) filter (where "kind" = 'APPROVAL' and "created_at" >= ? and "created_at" < ?) as "w"
         from "assignment" where "active" or ("created_at" >= ? and "created_at" < ?)
         group by 1
         union all
         select m."approver_id", ps."p", ps."r", ps."w"
         from "per_set" ps join "approver_set" s on s."id" = ps."set_id" cross join lateral unnest(s."member_ids") as m("approver_id")
         union all
         select k."approver_id", -count(*) filter (where g."p"), -count(*) filter (where g."r"), -count(*) filter (where g."w")
         from "g" join "assignment" k on k."group_id" = g."id"
         group by 1
       ) t
       group by 1`,
      [since, until, since, until, since, until, since, until],
    ),
    em.execute<ReviewRow[]>(
      `select "approver_id", count(*)::int as "reviews", count(*) filter (where "verdict" = 'FLAG')::int as "flags"
       from "review" where "at" >= ? and "at" < ? group by 1`,
      [since, until],
    ),
    em.execute<NowRow[]>(
      `select (select count(*) from "action_request" where "status" = '${ActionStatus.PENDING}')::int as "pending",
              (select min("created_at") from "action_request" where "status" = '${ActionStatus.PENDING}') as "oldest_pending",
              (select count(*) from "action_request" where "review_status" = 'UNREVIEWED')::int as "unreviewed"`,
    ),
    // Queue depth over time as a running sum: +1 when a request starts waiting, -1 when it
    // stops; everything before the window collapses into the bucket before the first.
    em.execute<DeltaRow[]>(
      `with c as (
         select "created_at", "decided_at" from "action_request"
         where "mode" = '${Mode.SYNC_APPROVAL}' and "created_at" < ?
           and ("decided_at" is null or ("decided_at" >= ? and "decided_at" > "created_at"))
       )
       select greatest(${bucketOf('e."at"')}, ?::bigint) as "b", sum(e."d")::int as "delta"
       from (select "created_at" as "at", 1 as "d" from c
             union all
             select "decided_at", -1 from c where "decided_at" is not null and "decided_at" < ?) e
       group by 1`,
      [until, since, size, range.firstBucket - 1, until],
    ),
    em.execute<DirectoryRow[]>('select "id", "name", "roles", "active" from "approver"'),
    governance.current(em),
  ]);

  const report = assemble(range, { submitted, resolved, escalations, approvers, load, reviews, current: current!, depth, directory });
  const period = Math.abs(until.getTime() - now.getTime()) < 60_000 ? `in the last ${range.window}` : `in the ${range.window} before ${until.toISOString()}`;
  return { ...report, alerts: detectAlerts(report, { period, levels: active?.compiled.riskModel.levels ?? null }) };
}

interface Rows {
  submitted: SubmittedRow[];
  resolved: ResolvedRow[];
  escalations: CountRow[];
  approvers: ApproverRow[];
  load: LoadRow[];
  reviews: ReviewRow[];
  current: NowRow;
  depth: DeltaRow[];
  directory: DirectoryRow[];
}

/** Builds the report from the query rows (no I/O). */
function assemble(range: MetricsRange, rows: Rows): MetricsReport {
  const starts = bucketStarts(range);
  const index = (b: string | null) => Number(b) - range.firstBucket;
  const inRange = (b: string | null) => index(b) >= 0 && index(b) < starts.length;

  // --- submissions ---
  const byMode = new Map<Mode, number>();
  const byStatus = new Map<ActionStatus, number>();
  const byModeAndStatus = new Map<string, ModeStatusCount>();
  const series: MetricsPoint[] = starts.map((at) => ({
    at, submitted: 0, auto: 0, asyncReview: 0, syncApproval: 0, blocked: 0, decided: 0, approved: 0, denied: 0, changesRequested: 0,
    expired: 0, escalations: 0, decisionLatencyP50: null, decisionLatencyP90: null, queueDepth: 0,
  }));
  const policies = new Map<string | null, PolicyMetrics>();
  const policy = (name: string | null): PolicyMetrics =>
    getOrCreate(policies, name, () => ({
      policy: name, submitted: 0, byMode: [], decided: 0, approved: 0, denied: 0, changesRequested: 0, expired: 0, approvalRate: null,
      decisionLatencyP50: null, levels: [], series: starts.map((at) => ({ at, submitted: 0, decided: 0, approved: 0 })),
    }));
  const policyModes = new Map<string | null, Map<Mode, number>>();
  for (const row of rows.submitted) {
    add(byMode, row.mode, row.n);
    add(byStatus, row.status, row.n);
    const key = `${row.mode}/${row.status}`;
    byModeAndStatus.set(key, { mode: row.mode, status: row.status, count: (byModeAndStatus.get(key)?.count ?? 0) + row.n });
    const p = policy(row.policy);
    p.submitted += row.n;
    add(getOrCreate(policyModes, row.policy, () => new Map()), row.mode, row.n);
    if (inRange(row.b)) {
      const point = series[index(row.b)]!;
      point.submitted += row.n;
      point[modeField(row.mode)] += row.n;
      p.series[index(row.b)]!.submitted += row.n;
    }
  }

  // --- resolutions: decisions and expiries ---
  let totals: ResolvedRow | undefined;
  const chains: ChainMetrics[] = [];
  const levels = new Map<string | null, Map<RiskLevel, ResolvedRow>>();
  for (const row of rows.resolved) {
    const grouped = { b: !row.gb, policy: !row.gp, chain: !row.gc, level: !row.gl };
    if (!grouped.b && !grouped.policy && !grouped.chain) totals = row;
    else if (grouped.b && !grouped.policy) {
      if (!inRange(row.b)) continue;
      const point = series[index(row.b)]!;
      Object.assign(point, {
        decided: row.decided, approved: row.approved, denied: row.denied, changesRequested: row.changes, expired: row.expired,
        decisionLatencyP50: row.latency?.[0] ?? null, decisionLatencyP90: row.latency?.[1] ?? null,
      });
    } else if (grouped.policy && grouped.b) {
      if (inRange(row.b)) Object.assign(policy(row.policy).series[index(row.b)]!, { decided: row.decided, approved: row.approved });
    } else if (grouped.policy && grouped.level) {
      getOrCreate(levels, row.policy, () => new Map()).set(row.risk_level!, row);
    } else if (grouped.policy) {
      Object.assign(policy(row.policy), {
        decided: row.decided, approved: row.approved, denied: row.denied, changesRequested: row.changes, expired: row.expired,
        approvalRate: rate(row.approved, row.decided), decisionLatencyP50: row.latency?.[0] ?? null,
      });
    } else if (grouped.chain) {
      const resolved = row.decided + row.expired;
      chains.push({
        chain: row.chain, resolved, decided: row.decided, expired: row.expired, timedOut: row.timed_out, noApproversAvailable: row.no_approvers,
        escalated: row.escalated, expiryRate: rate(row.expired, resolved), escalationRate: rate(row.escalated, resolved), decisionLatencyP50: row.latency?.[0] ?? null,
      });
    }
  }
  for (const [name, entry] of policies) entry.byMode = countsByMode((m) => policyModes.get(name)?.get(m) ?? 0);
  for (const [name, byLevel] of levels) {
    policy(name).levels = [...byLevel.values()]
      .filter((r) => r.decided > 0)
      .map((r) => ({ level: r.risk_level!, decided: r.decided, approved: r.approved, approvalRate: rate(r.approved, r.decided) }));
  }
  for (const row of rows.escalations) {
    if (inRange(row.b)) series[index(row.b)]!.escalations = row.n;
  }

  // --- queue depth at the end of each bucket ---
  const deltas = new Map(rows.depth.map((r) => [Number(r.b), r.delta]));
  let depth = deltas.get(range.firstBucket - 1) ?? 0;
  series.forEach((point, i) => {
    depth += deltas.get(range.firstBucket + i) ?? 0;
    point.queueDepth = depth;
  });

  const t = totals;
  const decided = t?.decided ?? 0;
  const expired = t?.expired ?? 0;
  const resolved = decided + expired;
  return {
    window: range.window,
    bucket: range.bucket,
    since: range.since,
    until: range.until,
    submitted: sum([...byMode.values()]),
    byMode: countsByMode((m) => byMode.get(m) ?? 0),
    byStatus: countsByStatus((s) => byStatus.get(s) ?? 0),
    byModeAndStatus: [...byModeAndStatus.values()].sort((a, b) => b.count - a.count),
    pending: rows.current.pending,
    oldestPendingSince: rows.current.oldest_pending === null ? null : new Date(rows.current.oldest_pending),
    unreviewed: rows.current.unreviewed,
    decided,
    approved: t?.approved ?? 0,
    denied: t?.denied ?? 0,
    changesRequested: t?.changes ?? 0,
    approvalRate: rate(t?.approved ?? 0, decided),
    denialRate: rate(t?.denied ?? 0, decided),
    changesRequestedRate: rate(t?.changes ?? 0, decided),
    decisionLatency: latency(t),
    escalations: sum(series.map((p) => p.escalations)),
    escalated: t?.escalated ?? 0,
    escalationRate: rate(t?.escalated ?? 0, resolved),
    expired,
    expiryRate: rate(expired, resolved),
    series,
    approvers: approverMetrics(rows, starts, index, inRange),
    policies: [...policies.values()].sort((a, b) => b.submitted - a.submitted || b.decided - a.decided || String(a.policy).localeCompare(String(b.policy))),
    chains: chains.sort((a, b) => b.resolved - a.resolved),
    roles: roleMetrics(rows),
  };
}

function approverMetrics(rows: Rows, starts: Date[], index: (b: string | null) => number, inRange: (b: string | null) => boolean): ApproverMetrics[] {
  const people = new Map(rows.directory.map((a) => [a.id, a]));
  const metrics = new Map<string, ApproverMetrics>();
  const of = (id: string): ApproverMetrics =>
    getOrCreate(metrics, id, () => {
      const person = people.get(id);
      return {
        approverId: id, name: person?.name ?? id, roles: person?.roles ?? [], active: person?.active ?? false,
        decisions: 0, approved: 0, denied: 0, changesRequested: 0, approveRate: null, medianSecondsToDecide: null, quickApprovals: 0,
        pending: 0, toReview: 0, assigned: 0, reviews: 0, flags: 0,
        series: starts.map((at) => ({ at, decisions: 0, approved: 0 })),
      };
    });
  for (const row of rows.approvers) {
    const entry = of(row.approver_id);
    if (row.gb && row.gr) {
      Object.assign(entry, {
        decisions: row.decisions, approved: row.approved, denied: row.denied, changesRequested: row.changes,
        approveRate: rate(row.approved, row.decisions), medianSecondsToDecide: row.median, quickApprovals: row.quick,
      });
    } else if (!row.gb && inRange(row.b)) {
      Object.assign(entry.series[index(row.b)]!, { decisions: row.decisions, approved: row.approved });
    }
  }
  for (const row of rows.load) Object.assign(of(row.approver_id), { pending: row.pending, toReview: row.to_review, assigned: row.assigned });
  for (const row of rows.reviews) Object.assign(of(row.approver_id), { reviews: row.reviews, flags: row.flags });
  return [...metrics.values()].sort((a, b) => b.decisions - a.decisions || b.pending - a.pending || a.name.localeCompare(b.name));
}

function roleMetrics(rows: Rows): RoleMetrics[] {
  const people = new Map(rows.directory.map((a) => [a.id, a]));
  const byRole = new Map<string, { approverId: string; decisions: number }[]>();
  for (const row of rows.approvers) {
    if (row.gr || row.via_role === null) continue;
    getOrCreate(byRole, row.via_role, () => []).push({ approverId: row.approver_id, decisions: row.decisions });
  }
  return [...byRole.entries()]
    .map(([role, shares]) => {
      const decisions = sum(shares.map((s) => s.decisions));
      return {
        role,
        members: rows.directory.filter((a) => a.active && a.roles.includes(role)).length,
        decisions,
        shares: shares
          .map((s) => ({ approverId: s.approverId, name: people.get(s.approverId)?.name ?? s.approverId, decisions: s.decisions, share: s.decisions / decisions }))
          .sort((a, b) => b.decisions - a.decisions || a.name.localeCompare(b.name)),
      };
    })
    .sort((a, b) => b.decisions - a.decisions || a.role.localeCompare(b.role));
}

function latency(row: ResolvedRow | undefined): LatencySummary {
  const p = row?.latency ?? null;
  return { count: row?.decided ?? 0, p50: p?.[0] ?? null, p90: p?.[1] ?? null, p95: p?.[2] ?? null, p99: p?.[3] ?? null, mean: row?.mean ?? null };
}

function modeField(mode: Mode): 'auto' | 'asyncReview' | 'syncApproval' | 'blocked' {
  switch (mode) {
    case Mode.AUTO:
      return 'auto';
    case Mode.ASYNC_REVIEW:
      return 'asyncReview';
    case Mode.SYNC_APPROVAL:
      return 'syncApproval';
    case Mode.BLOCK:
      return 'blocked';
    default:
      return assertNever(mode);
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function add<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
