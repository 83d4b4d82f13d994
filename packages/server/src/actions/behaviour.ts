import type { EntityManager } from '@mikro-orm/postgresql';
import type { BehaviourSignals } from '../risk/assess.js';

/** Status reasons that say something about the agent's behaviour (not about configuration). */
export const BEHAVIOURAL_DENIALS = ['DENIED_BY_APPROVER', 'BLOCKED_BY_POLICY'];

/** Below this much history the agent has no baseline rate yet (a rate spike needs a norm). */
const MIN_BASELINE_HOURS = 24;
/** The window the baseline rate is measured over, ending an hour ago. */
const BASELINE_WINDOW_HOURS = 7 * 24 - 1;
/** How many recent amounts of a type make the "usual amount". */
const AMOUNT_SAMPLE = 200;

interface Row {
  type_used: boolean;
  last_hour: number;
  earlier: number;
  first_at: Date | string | null;
  denials: number;
  flags: number;
  p50: number | null;
  p95: number | null;
  samples: number;
}

/**
 * The agent's own history as risk signals (DESIGN §2 step 2), in one round trip: whether it
 * used this type before, its rate now against its own baseline, its usual amounts for the
 * type, and recent denials and flags. Every sub-query is an index range on
 * (agent_id, created_at) or (agent_id, type, created_at).
 */
export async function loadBehaviourSignals(em: EntityManager, agentId: string, type: string, now: Date): Promise<BehaviourSignals> {
  const [row] = await em.execute<Row[]>(
    `select
       exists(select 1 from "action_request" where "agent_id" = ? and "type" = ?) as "type_used",
       (select count(*) from "action_request" where "agent_id" = ? and "created_at" > ?::timestamptz - interval '1 hour')::int as "last_hour",
       (select count(*) from "action_request" where "agent_id" = ? and "created_at" > ?::timestamptz - interval '7 days' and "created_at" <= ?::timestamptz - interval '1 hour')::int as "earlier",
       (select min("created_at") from "action_request" where "agent_id" = ?) as "first_at",
       (select count(*) from "action_request" where "agent_id" = ? and "status" = 'DENIED' and "status_reason" in ('DENIED_BY_APPROVER', 'BLOCKED_BY_POLICY') and "created_at" > ?::timestamptz - interval '24 hours')::int as "denials",
       (select count(*) from "review" r join "action_request" a on a."id" = r."action_id" where a."agent_id" = ? and r."verdict" = 'FLAG' and r."at" > ?::timestamptz - interval '24 hours')::int as "flags",
       s."p50", s."p95", s."samples"
     from (
       select percentile_cont(0.5) within group (order by v) as "p50", percentile_cont(0.95) within group (order by v) as "p95", count(*)::int as "samples"
       from (select "amount_value"::float8 as v from "action_request" where "agent_id" = ? and "type" = ? and "amount_value" is not null order by "created_at" desc limit ${AMOUNT_SAMPLE}) recent
     ) s`,
    [agentId, type, agentId, now, agentId, now, now, agentId, agentId, now, agentId, now, agentId, type],
  );
  const r = row!;
  const firstAt = r.first_at === null ? null : new Date(r.first_at);
  const historyHours = firstAt ? Math.min(BASELINE_WINDOW_HOURS, (now.getTime() - firstAt.getTime()) / 3_600_000 - 1) : 0;
  return {
    firstUseOfType: !r.type_used,
    requestsLastHour: r.last_hour,
    baselinePerHour: historyHours >= MIN_BASELINE_HOURS ? r.earlier / historyHours : null,
    usualAmount: r.samples > 0 ? { p50: Number(r.p50), p95: Number(r.p95), samples: r.samples } : null,
    recentDenials: r.denials,
    recentFlags: r.flags,
  };
}
