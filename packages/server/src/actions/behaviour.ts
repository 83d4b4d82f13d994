import type { SqlExecutor } from '../db/sql.js';
import type { BehaviourSignals } from '@countersign/governance';
import { StatusReason } from './status-reason.js';
import type { AgentSnapshot } from '../auth/principal.js';

/** Status reasons that say something about the agent's behaviour (not about configuration). */
const BEHAVIOURAL_DENIALS = `'${StatusReason.DENIED_BY_APPROVER}', '${StatusReason.BLOCKED_BY_POLICY}'`;

/** Below this much history the agent has no baseline rate yet (a rate spike needs a norm). */
const MIN_BASELINE_HOURS = 24;
/** The window the baseline rate is measured over, ending an hour ago. */
const BASELINE_WINDOW_HOURS = 7 * 24 - 1;
/** How many recent amounts of a type make the "usual amount". */
const AMOUNT_SAMPLE = 200;
/**
 * Every count reads at most this many index entries, so a submission costs the same for an
 * agent with ten requests or ten million: the baseline is then measured over the most
 * recent RATE_SAMPLE requests before the last hour (still a fair picture of "normal"), and
 * a rate above it counts as RATE_SAMPLE per hour (far past any spike threshold).
 */
const RATE_SAMPLE = 2000;
/** Denials and flags beyond this many in a day say nothing more. */
const DENIAL_SAMPLE = 100;

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
  earliest_sampled: Date | string | null;
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
 * path. Every history sub-query is a bounded index range (see RATE_SAMPLE): on
 * (agent_id, created_at), (agent_id, type, created_at), or the partial indexes over
 * denials, flags and amounts.
 *
 * `snapshot` is the agent's row as authentication read it for this very request: with it
 * and cached signals, nothing more is read.
 */
export async function loadSubmissionContext(
  sql: SqlExecutor,
  cache: BehaviourCache,
  agentId: string,
  type: string,
  now: Date,
  snapshot?: AgentSnapshot,
): Promise<SubmissionContext> {
  const cached = cache.get(agentId, type, now);
  if (cached && snapshot) {
    const { name, tags, suspended, suspendedReason, ownerId } = snapshot;
    return { agent: { id: agentId, name, tags, suspended, suspendedReason, ownerId }, governanceVersion: snapshot.governanceVersion, behaviour: cached };
  }
  if (cached) {
    // The agent's row (status: the kill switch is never cached) and the version in force.
    const [agentRow] = await sql.execute<Row[]>(
      `select ag."name" as "agent_name", ag."tags" as "agent_tags", ag."status" as "agent_status", ag."suspended_reason", ag."owner_id",
              (select max("version") from "governance_version") as "governance_version"
         from "agent" ag where ag."id" = ?`,
      [agentId],
    );
    if (!agentRow) throw new Error(`agent ${agentId} does not exist`);
    return { agent: agentOf(agentId, agentRow), governanceVersion: agentRow.governance_version, behaviour: cached };
  }
  const [row] = await sql.execute<Row[]>(
    `select
       ag."name" as "agent_name", ag."tags" as "agent_tags", ag."status" as "agent_status", ag."suspended_reason", ag."owner_id",
       (select max("version") from "governance_version") as "governance_version",
       exists(select 1 from "action_request" where "agent_id" = ? and "type" = ?) as "type_used",
       (select count(*) from (select 1 from "action_request" where "agent_id" = ? and "created_at" > ?::timestamptz - interval '1 hour' limit ${RATE_SAMPLE}) h)::int as "last_hour",
       e."earlier", e."earliest_sampled",
       (select min("created_at") from "action_request" where "agent_id" = ?) as "first_at",
       (select count(*) from (select 1 from "action_request" where "agent_id" = ? and "status" = 'DENIED' and "status_reason" in (${BEHAVIOURAL_DENIALS}) and "created_at" > ?::timestamptz - interval '24 hours' limit ${DENIAL_SAMPLE}) d)::int as "denials",
       (select count(*) from (select 1 from "review" r join "action_request" a on a."id" = r."action_id" where r."verdict" = 'FLAG' and r."at" > ?::timestamptz - interval '24 hours' and a."agent_id" = ? limit ${DENIAL_SAMPLE}) f)::int as "flags",
       s."p50", s."p95", s."samples"
     from (
       select percentile_cont(0.5) within group (order by v) as "p50", percentile_cont(0.95) within group (order by v) as "p95", count(*)::int as "samples"
       from (select "amount_value"::float8 as v from "action_request" where "agent_id" = ? and "type" = ? and "amount_value" is not null order by "created_at" desc limit ${AMOUNT_SAMPLE}) recent
     ) s
     cross join (
       select count(*)::int as "earlier", min("created_at") as "earliest_sampled"
       from (select "created_at" from "action_request" where "agent_id" = ? and "created_at" > ?::timestamptz - interval '7 days' and "created_at" <= ?::timestamptz - interval '1 hour'
             order by "created_at" desc limit ${RATE_SAMPLE}) w
     ) e
     join "agent" ag on ag."id" = ?`,
    [agentId, type, agentId, now, agentId, agentId, now, now, agentId, agentId, type, agentId, now, now, agentId],
  );
  if (!row) throw new Error(`agent ${agentId} does not exist`);
  const firstAt = row.first_at === null ? null : new Date(row.first_at);
  const historyHours = firstAt ? Math.min(BASELINE_WINDOW_HOURS, (now.getTime() - firstAt.getTime()) / 3_600_000 - 1) : 0;
  // A full sample covers less than the whole window: measure the rate over what it covers.
  const sampledHours = row.earlier >= RATE_SAMPLE && row.earliest_sampled !== null
    ? Math.max((now.getTime() - new Date(row.earliest_sampled).getTime()) / 3_600_000 - 1, 1 / 60)
    : historyHours;
  const behaviour: BehaviourSignals = {
    firstUseOfType: !row.type_used,
    requestsLastHour: row.last_hour,
    baselinePerHour: historyHours >= MIN_BASELINE_HOURS ? row.earlier / sampledHours : null,
    usualAmount: row.samples > 0 ? { p50: Number(row.p50), p95: Number(row.p95), samples: row.samples } : null,
    recentDenials: row.denials,
    recentFlags: row.flags,
  };
  cache.set(agentId, type, now, behaviour);
  return { agent: agentOf(agentId, row), governanceVersion: row.governance_version, behaviour };
}

function agentOf(id: string, row: Pick<Row, 'agent_name' | 'agent_tags' | 'agent_status' | 'suspended_reason' | 'owner_id'>): SubmissionContext['agent'] {
  return { id, name: row.agent_name, tags: row.agent_tags, suspended: row.agent_status === 'SUSPENDED', suspendedReason: row.suspended_reason, ownerId: row.owner_id };
}

/**
 * Behaviour signals per (agent, type), reused for up to {@link BehaviourCache.ttlMs}. They
 * are statistics over the agent's history (its rate against its baseline, its usual
 * amounts, recent denials), so a value a second old judges a request as well as a fresh
 * one — and an agent submitting hundreds of requests a second then costs one history read
 * a second instead of one per request. What must be exact is not cached: the agent's
 * status (the kill switch) is read on every submission, and this instance forgets an
 * agent's signals as soon as one of its requests is denied or flagged here (another
 * instance sees that within the TTL).
 */
export class BehaviourCache {
  private readonly entries = new Map<string, { at: number; signals: BehaviourSignals }>();

  constructor(
    readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  get(agentId: string, type: string, now: Date): BehaviourSignals | null {
    const entry = this.entries.get(`${agentId} ${type}`);
    return entry && now.getTime() - entry.at < this.ttlMs ? entry.signals : null;
  }

  set(agentId: string, type: string, now: Date, signals: BehaviourSignals): void {
    const key = `${agentId} ${type}`;
    this.entries.delete(key);
    this.entries.set(key, { at: now.getTime(), signals });
    // Maps iterate in insertion order: the first key is the least recently written.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops an agent's signals (after a denial or a flag, which they must reflect). */
  forget(agentId: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${agentId} `)) this.entries.delete(key);
  }
}
