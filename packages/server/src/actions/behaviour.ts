import type { EntityManager } from '@mikro-orm/postgresql';
import type { BehaviourSignals } from '@countersign/governance';

/** Status reasons that say something about the agent's behaviour (not about configuration). */
export const BEHAVIOURAL_DENIALS = ['DENIED_BY_APPROVER', 'BLOCKED_BY_POLICY'];

/** Below this much history the agent has no baseline rate yet (a rate spike needs a norm). */
const MIN_BASELINE_HOURS = 24;
/** The window the baseline rate is measured over, ending an hour ago. */
const BASELINE_WINDOW_HOURS = 7 * 24 - 1;
/** How many recent amounts of a type make the "usual amount". */
const AMOUNT_SAMPLE = 200;

interface Row {
  agent_name: string;
  agent_tags: string[];
  agent_status: string;
  suspended_reason: string | null;
  owner_id: string | null;
  governance_version: number | null;
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

/** Everything a submission reads before it decides, from one round trip. */
export interface SubmissionContext {
  agent: { id: string; name: string; tags: string[]; suspended: boolean; suspendedReason: string | null; ownerId: string | null };
  /** The governance version in force (null: none applied yet). */
  governanceVersion: number | null;
  behaviour: BehaviourSignals;
}

/**
 * The agent (its status, for the kill switch; its owner, for separation of duties), the
 * governance version in force, and the agent's own history as risk signals (DESIGN §2
 * step 2) — whether it used this type before, its rate now against its own baseline, its
 * usual amounts for the type, recent denials and flags — in one round trip on the hot
 * path. Every history sub-query is an index range on (agent_id, created_at) or
 * (agent_id, type, created_at).
 */
export async function loadSubmissionContext(em: EntityManager, agentId: string, type: string, now: Date): Promise<SubmissionContext> {
  const [row] = await em.execute<Row[]>(
    `select
       ag."name" as "agent_name", ag."tags" as "agent_tags", ag."status" as "agent_status", ag."suspended_reason", ag."owner_id",
       (select max("version") from "governance_version") as "governance_version",
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
     ) s
     join "agent" ag on ag."id" = ?`,
    [agentId, type, agentId, now, agentId, now, now, agentId, agentId, now, agentId, now, agentId, type, agentId],
  );
  if (!row) throw new Error(`agent ${agentId} does not exist`);
  const r = row;
  const firstAt = r.first_at === null ? null : new Date(r.first_at);
  const historyHours = firstAt ? Math.min(BASELINE_WINDOW_HOURS, (now.getTime() - firstAt.getTime()) / 3_600_000 - 1) : 0;
  const behaviour: BehaviourSignals = {
    firstUseOfType: !r.type_used,
    requestsLastHour: r.last_hour,
    baselinePerHour: historyHours >= MIN_BASELINE_HOURS ? r.earlier / historyHours : null,
    usualAmount: r.samples > 0 ? { p50: Number(r.p50), p95: Number(r.p95), samples: r.samples } : null,
    recentDenials: r.denials,
    recentFlags: r.flags,
  };
  return {
    agent: { id: agentId, name: r.agent_name, tags: r.agent_tags, suspended: r.agent_status === 'SUSPENDED', suspendedReason: r.suspended_reason, ownerId: r.owner_id },
    governanceVersion: r.governance_version,
    behaviour,
  };
}
