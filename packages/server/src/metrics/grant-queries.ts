import type { EntityManager } from '@mikro-orm/postgresql';
import { ActionStatus, Mode, ReviewVerdict, Verdict } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import { LIVE_SQL } from '../grants/grants.service.js';
import { ALERT_THRESHOLDS, type LiveGrantScope, type RepeatApproval } from './alerts.js';
import type { MetricsRange } from './window.js';
import {
  liveGrantScope, repeatApproval, type FlaggedGrantRow, type GrantCountsRow, type LiveGrantRow, type RepeatApprovalRow,
} from './grant-figures.js';

/** What metrics reads about grants (DESIGN §12) for one window. */
export interface GrantRows {
  counts: GrantCountsRow;
  flagged: FlaggedGrantRow[];
  repeats: RepeatApproval[];
  /** Live grants of the agents in `repeats` (none read when there are no repeats). */
  live: LiveGrantScope[];
}

/**
 * Reads the grant figures of a window: three statements in parallel (counts, grants with
 * flagged uses, repeated approvals), then the live grants of the agents repeatedly
 * approved, if any. Each reads one window of one table, or the grants, which are few.
 */
export async function loadGrantRows(em: EntityManager, range: MetricsRange, now: Date): Promise<GrantRows> {
  const { since, until } = range;
  const [[counts], flagged, repeats] = await Promise.all([
    em.execute<GrantCountsRow[]>(
      `select
         (select count(*) from "grant_use" where "at" >= ? and "at" < ?)::int as "uses",
         (select count(*) from "action_request" where "status" = '${ActionStatus.APPROVED}' and "status_reason" = '${StatusReason.GRANTED}'
            and "created_at" >= ? and "created_at" < ?)::int as "granted",
         (select count(*) from "standing_grant" g where ${LIVE_SQL('g')})::int as "active",
         (select count(*) from "standing_grant" where "created_at" >= ? and "created_at" < ?)::int as "created",
         (select count(*) from "standing_grant" where "revoked_at" >= ? and "revoked_at" < ?)::int as "revoked",
         (select count(*) from "review" r join "grant_use" u on u."action_id" = r."action_id" where r."at" >= ? and r."at" < ?)::int as "reviews",
         (select count(distinct r."action_id") from "review" r join "grant_use" u on u."action_id" = r."action_id"
            where r."verdict" = '${ReviewVerdict.FLAG}' and r."at" >= ? and r."at" < ?)::int as "flagged"`,
      [since, until, since, until, now, since, until, since, until, since, until, since, until],
    ),
    em.execute<FlaggedGrantRow[]>(
      `with f as (
         select r."action_id", u."grant_id", r."at", r."comment"
         from "review" r join "grant_use" u on u."action_id" = r."action_id"
         where r."verdict" = '${ReviewVerdict.FLAG}' and r."at" >= ? and r."at" < ?
       )
       select g."id" as "grant_id", g."agent_id", a."name" as "agent_name", g."action_type", g."granted_by_name", (${LIVE_SQL('g')}) as "active", g."uses",
              count(distinct f."action_id")::int as "flagged",
              array_agg(f."action_id"::text order by f."at") as "action_ids",
              array_remove(array_agg(f."comment" order by f."at"), null) as "comments"
       from f join "standing_grant" g on g."id" = f."grant_id" join "agent" a on a."id" = g."agent_id"
       group by g."id", a."name"`,
      [since, until, now],
    ),
    // Per approver, agent, type, currency, policy and level: the single-approval requests
    // they approved and the largest amount; per agent and type: the requests anyone refused.
    // Only partitions with enough approvals to matter come back.
    em.execute<RepeatApprovalRow[]>(
      `with d as (
         select d."approver_id", a."agent_id", a."type", upper(a."amount_currency") as "currency", a."policy", a."risk_level", d."verdict", a."id",
                a."amount_value", a."required_approvals"
         from "decision" d join "action_request" a on a."id" = d."action_id"
         where d."at" >= ? and d."at" < ? and a."mode" = '${Mode.SYNC_APPROVAL}'
       ), g as (
         select "approver_id", "agent_id", "type", "currency", "policy", "risk_level",
                count(distinct "id") filter (where "verdict" = '${Verdict.APPROVE}' and "required_approvals" <= 1)::int as "approvals",
                max("amount_value") filter (where "verdict" = '${Verdict.APPROVE}' and "required_approvals" <= 1) as "max_amount",
                count(distinct "id") filter (where "verdict" <> '${Verdict.APPROVE}')::int as "refusals"
         from d group by 1, 2, 3, 4, 5, 6
       ), w as (
         select g.*, sum("refusals") over (partition by "agent_id", "type")::int as "refusals_of_type",
                sum("approvals") over (partition by "approver_id", "agent_id", "type") as "approvals_of_type"
         from g
       )
       select w."approver_id", p."name" as "approver_name", w."agent_id", ag."name" as "agent_name", w."type" as "action_type", w."currency", w."policy",
              w."risk_level" as "level", w."approvals", w."max_amount", w."refusals_of_type"
       from w join "approver" p on p."id" = w."approver_id" join "agent" ag on ag."id" = w."agent_id"
       where w."approvals_of_type" >= ?`,
      [since, until, ALERT_THRESHOLDS.suggestGrant.minApprovals],
    ),
  ]);

  const agents = [...new Set(repeats.map((r) => r.agent_id))];
  const live = agents.length === 0 ? [] : await em.execute<LiveGrantRow[]>(
    `select g."id", g."agent_id", g."action_type", g."when", g."max_amount_value", g."max_amount_currency", g."same_destination", g."payload_hash"
     from "standing_grant" g where g."agent_id" in (${agents.map(() => '?').join(', ')}) and ${LIVE_SQL('g')}`,
    [...agents, now],
  );
  return { counts: counts!, flagged, repeats: repeats.map(repeatApproval), live: live.map(liveGrantScope) };
}
