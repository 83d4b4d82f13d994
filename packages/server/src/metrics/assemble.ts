import { ActionStatus, Mode, RiskLevel, assertNever } from '../shared/enums.js';
import { countsByMode, countsByStatus } from '../actions/counts.js';
import { bucketStarts, type MetricsRange } from './window.js';
import {
  rate, type ApproverMetrics, type ChainMetrics, type LatencySummary, type MetricsPoint, type MetricsReport, type ModeStatusCount,
  type PolicyMetrics, type RoleMetrics,
} from './report.js';

/*
 * The rows of metrics.service.ts's queries. `bucket` is a bucket index (see window.ts), as
 * PostgreSQL's bigint text. The `all_*` flags are SQL `grouping()`: 1 when the row sums over
 * every value of that column (a total), 0 when it is one value's row.
 */
export interface SubmittedRow {
  mode: Mode; status: ActionStatus; policy: string | null; bucket: string; count: number;
  /** Of them, approved by break-glass, and refused it (over the limit, or not allowed by the policy). */
  break_glass?: number; break_glass_refused?: number;
}

/** Requests held for approval that ended in the window, per grouping set; `latency` is [p50, p90, p95, p99] seconds. */
export interface ResolvedRow {
  all_buckets: number; all_policies: number; all_chains: number; all_levels: number;
  bucket: string | null; policy: string | null; chain: string | null; risk_level: RiskLevel | null;
  decided: number; approved: number; denied: number; changes: number; expired: number; timed_out: number; no_approvers: number; escalated: number;
  latency: number[] | null; mean: number | null;
}

/** Decisions per approver, per grouping set. */
export interface ApproverRow {
  all_buckets: number; all_roles: number;
  approver_id: string; bucket: string | null; via_role: string | null;
  decisions: number; approved: number; denied: number; changes: number; quick: number; median: number | null;
}

export interface LoadRow { approver_id: string; pending: number; to_review: number; assigned: number }
export interface ReviewRow { approver_id: string; reviews: number; flags: number }
export interface NowRow { pending: number; oldest_pending: string | Date | null; unreviewed: number }
/** How the queue depth moved in one bucket (the bucket before the window holds everything earlier). */
export interface DeltaRow { bucket: string; delta: number }
export interface CountRow { bucket: string; count: number }
export interface DirectoryRow { id: string; name: string; roles: string[]; active: boolean }

export interface Rows {
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
export function assemble(range: MetricsRange, rows: Rows): MetricsReport {
  const starts = bucketStarts(range);
  const index = (bucket: string | null) => Number(bucket) - range.firstBucket;
  const inRange = (bucket: string | null) => index(bucket) >= 0 && index(bucket) < starts.length;

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
  let breakGlassUses = 0;
  let breakGlassRefused = 0;
  for (const row of rows.submitted) {
    breakGlassUses += row.break_glass ?? 0;
    breakGlassRefused += row.break_glass_refused ?? 0;
    add(byMode, row.mode, row.count);
    add(byStatus, row.status, row.count);
    const key = `${row.mode}/${row.status}`;
    byModeAndStatus.set(key, { mode: row.mode, status: row.status, count: (byModeAndStatus.get(key)?.count ?? 0) + row.count });
    const ofPolicy = policy(row.policy);
    ofPolicy.submitted += row.count;
    add(getOrCreate(policyModes, row.policy, () => new Map()), row.mode, row.count);
    if (inRange(row.bucket)) {
      const point = series[index(row.bucket)]!;
      point.submitted += row.count;
      point[modeField(row.mode)] += row.count;
      ofPolicy.series[index(row.bucket)]!.submitted += row.count;
    }
  }

  // --- resolutions: decisions and expiries ---
  let totals: ResolvedRow | undefined;
  const chains: ChainMetrics[] = [];
  const levels = new Map<string | null, Map<RiskLevel, ResolvedRow>>();
  for (const row of rows.resolved) {
    const grouped = { bucket: !row.all_buckets, policy: !row.all_policies, chain: !row.all_chains, level: !row.all_levels };
    if (!grouped.bucket && !grouped.policy && !grouped.chain) totals = row;
    else if (grouped.bucket && !grouped.policy) {
      if (!inRange(row.bucket)) continue;
      const point = series[index(row.bucket)]!;
      Object.assign(point, {
        decided: row.decided, approved: row.approved, denied: row.denied, changesRequested: row.changes, expired: row.expired,
        decisionLatencyP50: row.latency?.[0] ?? null, decisionLatencyP90: row.latency?.[1] ?? null,
      });
    } else if (grouped.policy && grouped.bucket) {
      if (inRange(row.bucket)) Object.assign(policy(row.policy).series[index(row.bucket)]!, { decided: row.decided, approved: row.approved });
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
    if (inRange(row.bucket)) series[index(row.bucket)]!.escalations = row.count;
  }

  // --- queue depth at the end of each bucket ---
  const deltas = new Map(rows.depth.map((r) => [Number(r.bucket), r.delta]));
  let depth = deltas.get(range.firstBucket - 1) ?? 0;
  series.forEach((point, i) => {
    depth += deltas.get(range.firstBucket + i) ?? 0;
    point.queueDepth = depth;
  });

  const decided = totals?.decided ?? 0;
  const expired = totals?.expired ?? 0;
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
    approved: totals?.approved ?? 0,
    denied: totals?.denied ?? 0,
    changesRequested: totals?.changes ?? 0,
    approvalRate: rate(totals?.approved ?? 0, decided),
    denialRate: rate(totals?.denied ?? 0, decided),
    changesRequestedRate: rate(totals?.changes ?? 0, decided),
    decisionLatency: latency(totals),
    escalations: sum(series.map((p) => p.escalations)),
    escalated: totals?.escalated ?? 0,
    escalationRate: rate(totals?.escalated ?? 0, resolved),
    expired,
    expiryRate: rate(expired, resolved),
    breakGlassUses,
    breakGlassRefused,
    series,
    approvers: approverMetrics(rows, starts, index, inRange),
    policies: [...policies.values()].sort((a, b) => b.submitted - a.submitted || b.decided - a.decided || String(a.policy).localeCompare(String(b.policy))),
    chains: chains.sort((a, b) => b.resolved - a.resolved),
    roles: roleMetrics(rows),
  };
}

function approverMetrics(rows: Rows, starts: Date[], index: (bucket: string | null) => number, inRange: (bucket: string | null) => boolean): ApproverMetrics[] {
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
    if (row.all_buckets && row.all_roles) {
      Object.assign(entry, {
        decisions: row.decisions, approved: row.approved, denied: row.denied, changesRequested: row.changes,
        approveRate: rate(row.approved, row.decisions), medianSecondsToDecide: row.median, quickApprovals: row.quick,
      });
    } else if (!row.all_buckets && inRange(row.bucket)) {
      Object.assign(entry.series[index(row.bucket)]!, { decisions: row.decisions, approved: row.approved });
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
    if (row.all_roles || row.via_role === null) continue;
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
