import type { EntityManager } from '@mikro-orm/postgresql';
import { assignmentLoadSql, assignmentOfDecisionSql } from '../escalation/assignments.js';
import { ActionStatus, Mode, Verdict } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import type { GovernanceCache } from '../governance/governance.service.js';
import { ALERT_THRESHOLDS, detectAlerts, type Alert } from './alerts.js';
import type { MetricsRange } from './window.js';
import type { MetricsReport } from './report.js';
import {
  assemble, type ApproverRow, type CountRow, type DeltaRow, type DirectoryRow, type LoadRow, type NowRow, type ResolvedRow, type ReviewRow, type SubmittedRow,
} from './assemble.js';

const HUMAN_REASONS = [StatusReason.APPROVED_BY_APPROVER, StatusReason.DENIED_BY_APPROVER, StatusReason.CHANGES_REQUESTED_BY_APPROVER];
const HUMAN_REASONS_SQL = `(${HUMAN_REASONS.map((r) => `'${r}'`).join(', ')})`;
/** Bucket index of a timestamp column: bucket `i` covers [i·size, (i+1)·size) seconds since the epoch. */
const bucketOf = (column: string) => `floor(extract(epoch from ${column}) / ?)::bigint`;

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
      `select "mode", "status", "policy", ${bucketOf('"created_at"')} as "bucket", count(*)::int as "count",
         count(*) filter (where "status_reason" = '${StatusReason.BREAK_GLASS}')::int as "break_glass",
         count(*) filter (where "status_reason" in ('${StatusReason.BREAK_GLASS_LIMIT}', '${StatusReason.BREAK_GLASS_NOT_ALLOWED}'))::int as "break_glass_refused"
       from "action_request" where "created_at" >= ? and "created_at" < ?
       group by 1, 2, 3, 4`,
      [size, since, until],
    ),
    // Requests held for approval that ended in the window: decided by a human, or expired.
    em.execute<ResolvedRow[]>(
      `with r as (
         select a."policy", a."chain", a."risk_level", a."status", a."status_reason", ${bucketOf('a."decided_at"')} as "bucket",
                extract(epoch from a."decided_at" - a."created_at")::float8 as "latency",
                a."status_reason" in ${HUMAN_REASONS_SQL} as "human",
                exists (select 1 from "audit_event" e where e."subject_id" = a."id"::text and e."kind" = 'ESCALATED') as "escalated"
         from "action_request" a
         where a."decided_at" >= ? and a."decided_at" < ? and (a."status_reason" in ${HUMAN_REASONS_SQL} or a."status" = '${ActionStatus.EXPIRED}')
       )
       select grouping("bucket")::int as "all_buckets", grouping("policy")::int as "all_policies", grouping("chain")::int as "all_chains",
         grouping("risk_level")::int as "all_levels", "bucket", "policy", "chain", "risk_level",
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
       group by grouping sets ((), ("bucket"), ("policy"), ("policy", "bucket"), ("policy", "risk_level"), ("chain"))`,
      [size, since, until],
    ),
    em.execute<CountRow[]>(
      `select ${bucketOf('"at"')} as "bucket", count(*)::int as "count" from "audit_event"
       where "kind" = 'ESCALATED' and "at" >= ? and "at" < ? group by 1`,
      [size, since, until],
    ),
    // Each decision with the time since its approver was assigned, and the role that reached them.
    em.execute<ApproverRow[]>(
      `with d as (
         select d."approver_id", d."verdict", ${bucketOf('d."at"')} as "bucket", s."via_role",
                extract(epoch from d."at" - coalesce(s."created_at", a."created_at"))::float8 as "seconds"
         from "decision" d
         join "action_request" a on a."id" = d."action_id"
         left join lateral (
           ${assignmentOfDecisionSql('d')}
         ) s on true
         where d."at" >= ? and d."at" < ?
       )
       select grouping("bucket")::int as "all_buckets", grouping("via_role")::int as "all_roles", "approver_id", "bucket", "via_role",
         count(*)::int as "decisions",
         count(*) filter (where "verdict" = '${Verdict.APPROVE}')::int as "approved",
         count(*) filter (where "verdict" = '${Verdict.DENY}')::int as "denied",
         count(*) filter (where "verdict" = '${Verdict.REQUEST_CHANGES}')::int as "changes",
         count(*) filter (where "verdict" = '${Verdict.APPROVE}' and "seconds" <= ?)::int as "quick",
         percentile_cont(0.5) within group (order by "seconds") as "median"
       from d
       group by grouping sets (("approver_id"), ("approver_id", "bucket"), ("approver_id", "via_role"))`,
      [size, since, until, ALERT_THRESHOLDS.rubberStamping.quickSeconds],
    ),
    em.execute<LoadRow[]>(...assignmentLoadSql(since, until)),
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
       select greatest(${bucketOf('e."at"')}, ?::bigint) as "bucket", sum(e."d")::int as "delta"
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
