import type { EntityManager } from '@mikro-orm/postgresql';
import { ActionStatus, Mode, ReviewStatus, type Operation, type RiskLevel } from '../shared/enums.js';
import type { RiskFactor } from './action-request.entity.js';
import { ActionDigestType, type AgentBaselineType, type UsualAmountType } from './context.types.js';
import { countsByMode } from './counts.js';
import { StatusReason } from './status-reason.js';
import { historyReadableBy, readableBy } from './access.js';
import type { Principal } from '../auth/principal.js';
import {
  RELATIONS, agentJson, decisionsJson, toAgentView, toPastDecisions, type AgentJson, type ApproversJson, type DecisionJson, type DigestWithRelations,
} from './relations.js';

/**
 * The context an approver sees next to a request (DESIGN §4): the agent's recent requests,
 * what is normal for it, and earlier requests like this one. Each function answers a whole
 * batch of keys in one round trip, so a queue page costs the same few queries however long
 * it is; every lookup per key is an index range on (agent_id, created_at) or
 * (agent_id, type, created_at), bounded by a LIMIT.
 */

/** Recent requests of one agent. */
export interface RecentActionsKey {
  agentId: string;
  limit: number;
}

/** Requests like one request: same type, submitted before it. */
export interface SimilarActionsKey {
  id: string;
  agentId: string;
  type: string;
  createdAt: Date;
  limit: number;
}

export interface SimilarActions {
  sameAgent: ActionDigestType[];
  otherAgents: ActionDigestType[];
}

/** The baseline covers the agent's most recent requests, up to this many (as many as the risk model's usual amounts)... */
export const BASELINE_SAMPLE = 200;
/** ...within this many days. */
export const BASELINE_DAYS = 30;
/** Requests in the last hour are counted up to this many (an index-only count, bounded). */
export const LAST_HOUR_CAP = 10_000;
const HOUR_MS = 3_600_000;

interface DigestRow {
  id: string;
  agent_id: string;
  type: string;
  operation: Operation;
  summary: string;
  resource: string | null;
  amount_value: number | null;
  amount_currency: string | null;
  destination_system: string | null;
  destination_external: boolean | null;
  risk_score: number;
  risk_level: RiskLevel;
  risk_factors: RiskFactor[];
  mode: Mode;
  status: ActionStatus;
  status_reason: string | null;
  review_status: ReviewStatus | null;
  policy: string | null;
  created_at: Date | string;
  decided_at: Date | string | null;
  rel_agent: AgentJson | null;
  rel_decisions: (DecisionJson & ApproversJson)[];
}

/** A digest's columns, with its agent and decisions (approvers named) as JSON: digests are shown with them. */
const DIGEST_COLUMNS = `a."id", a."agent_id", a."type", a."operation", a."summary", a."resource", a."amount_value"::float8 as "amount_value",
  a."amount_currency", a."destination_system", a."destination_external", a."risk_score", a."risk_level", a."risk_factors",
  a."mode", a."status", a."status_reason", a."review_status", a."policy", a."created_at", a."decided_at",
  ${agentJson('a."agent_id"')} as "rel_agent", ${decisionsJson('a."id"')} as "rel_decisions"`;

/** An instance of the GraphQL type, so that its field resolvers get it as is instead of a copy each. */
function toDigest(row: DigestRow): ActionDigestType {
  const digest: DigestWithRelations = Object.assign(new ActionDigestType(), {
    id: row.id,
    agentId: row.agent_id,
    type: row.type,
    operation: row.operation,
    summary: row.summary,
    resource: row.resource,
    amount: row.amount_value !== null && row.amount_currency !== null ? { value: row.amount_value, currency: row.amount_currency } : null,
    destination: row.destination_system !== null ? { system: row.destination_system, external: row.destination_external ?? false } : null,
    risk: { score: row.risk_score, level: row.risk_level, factors: row.risk_factors },
    mode: row.mode,
    status: row.status,
    statusReason: row.status_reason,
    reviewStatus: row.review_status,
    policy: row.policy,
    createdAt: new Date(row.created_at),
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
  } satisfies ActionDigestType);
  digest[RELATIONS] = { agent: toAgentView(row.rel_agent), decisions: toPastDecisions(row.rel_decisions) };
  return digest;
}

function placeholders(count: number, row: string): string {
  return Array.from({ length: count }, () => row).join(', ');
}

/**
 * Requests the caller may not see are left out (actions/access.ts: an agent's own history
 * by `historyReadableBy`, other agents' requests by `readableBy`). For an approver that is
 * a filter over the agent's (or the type's) latest requests: it looks at no more than this
 * many of them, so a busy agent whose requests mostly go elsewhere costs a bounded read,
 * and its context then shows fewer (or none) rather than reaching further back.
 */
export const CONTEXT_SCAN = 500;

/**
 * The latest requests (newest first, at most `lim`) of `from` — a select over
 * `"action_request" x` with its filter and order — that `readable` lets through, as digests.
 */
function digestsOf(from: string, readable: { sql: string; params: unknown[] }): { sql: string; params: unknown[] } {
  if (readable.sql === 'true') {
    return { sql: `select ${DIGEST_COLUMNS} from (${from} limit q."lim") a order by a."created_at" desc`, params: [] };
  }
  return {
    sql: `select ${DIGEST_COLUMNS} from (${from} limit ${CONTEXT_SCAN}) a where ${readable.sql} order by a."created_at" desc limit q."lim"`,
    params: readable.params,
  };
}

/** Each agent's latest requests the caller may see, newest first. */
export async function loadRecentActions(em: EntityManager, keys: readonly RecentActionsKey[], viewer: Principal | null): Promise<ActionDigestType[][]> {
  const recent = digestsOf(`select x.* from "action_request" x where x."agent_id" = q."agent_id" order by x."created_at" desc`, historyReadableBy(viewer, 'q."agent_id"', CONTEXT_SCAN));
  const rows = await em.execute<(DigestRow & { for_agent: string; lim: number })[]>(
    `with q("agent_id", "lim") as (values ${placeholders(keys.length, '(?::uuid, ?::int)')})
     select q."agent_id" as "for_agent", q."lim", s.* from q cross join lateral (${recent.sql}) s`,
    [...keys.flatMap((k) => [k.agentId, k.limit]), ...recent.params],
  );
  const byKey = new Map<string, ActionDigestType[]>();
  for (const row of rows) {
    const key = `${row.for_agent}:${row.lim}`;
    const list = byKey.get(key) ?? [];
    list.push(toDigest(row));
    byKey.set(key, list);
  }
  return keys.map((k) => newestFirst(byKey.get(`${k.agentId}:${k.limit}`) ?? []));
}

/**
 * For each request, the earlier requests of its type the caller may see: its own agent's,
 * then other agents'. "Earlier" keeps the precedent stable: what an approver saw is what an
 * auditor sees later.
 */
export async function loadSimilarActions(em: EntityManager, keys: readonly SimilarActionsKey[], viewer: Principal | null): Promise<SimilarActions[]> {
  const same = digestsOf(
    `select x.* from "action_request" x where x."agent_id" = q."agent_id" and x."type" = q."type" and x."created_at" < q."created_at" order by x."created_at" desc`,
    historyReadableBy(viewer, 'q."agent_id"', CONTEXT_SCAN),
  );
  const others = digestsOf(
    `select x.* from "action_request" x where x."type" = q."type" and x."agent_id" <> q."agent_id" and x."created_at" < q."created_at" order by x."created_at" desc`,
    readableBy(viewer),
  );
  const rows = await em.execute<(DigestRow & { for_id: string; lim: number; same_agent: boolean })[]>(
    `with q("for_id", "agent_id", "type", "created_at", "lim") as (values ${placeholders(keys.length, '(?::uuid, ?::uuid, ?::text, ?::timestamptz, ?::int)')})
     select q."for_id", q."lim", true as "same_agent", s.* from q cross join lateral (${same.sql}) s
     union all
     select q."for_id", q."lim", false, s.* from q cross join lateral (${others.sql}) s`,
    [...keys.flatMap((k) => [k.id, k.agentId, k.type, k.createdAt, k.limit]), ...same.params, ...others.params],
  );
  const byKey = new Map<string, SimilarActions>();
  for (const row of rows) {
    const key = `${row.for_id}:${row.lim}`;
    const entry = byKey.get(key) ?? { sameAgent: [], otherAgents: [] };
    (row.same_agent ? entry.sameAgent : entry.otherAgents).push(toDigest(row));
    byKey.set(key, entry);
  }
  return keys.map((k) => {
    const entry = byKey.get(`${k.id}:${k.limit}`);
    return { sameAgent: newestFirst(entry?.sameAgent ?? []), otherAgents: newestFirst(entry?.otherAgents ?? []) };
  });
}

function newestFirst(digests: ActionDigestType[]): ActionDigestType[] {
  return digests.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
}

/** How many of an agent's sampled requests ended one way. */
export interface OutcomeGroup {
  mode: Mode;
  status: ActionStatus;
  reason: string | null;
  review: ReviewStatus | null;
  n: number;
}

/** One agent's history in numbers, as the baseline query returns it. */
export interface BaselineRow {
  agent_id: string;
  first_at: Date | string | null;
  oldest: Date | string | null;
  /** The usual rate the risk model measured for the agent's latest request. */
  usual_per_hour: number | null;
  last_hour: number;
  outcomes: OutcomeGroup[];
  amounts: { type: string; currency: string; p50: number; p95: number; samples: number }[];
}

/**
 * The baseline of each agent (DESIGN §4 `agent.baseline`), in one query for the whole batch.
 * The work per agent is bounded whatever its history: a sample of its latest requests (an
 * index range on (agent_id, created_at) with a LIMIT), its first and latest request, and
 * a capped index-only count of its last hour. The sample is grouped once by how each
 * request ended; the groups are folded into rates here.
 */
export async function loadBaselines(em: EntityManager, agentIds: readonly string[], now: Date): Promise<AgentBaselineType[]> {
  const rows = await em.execute<BaselineRow[]>(
    `with g("agent_id") as (values ${placeholders(agentIds.length, '(?::uuid)')}),
     sample as (
       select g."agent_id", s.* from g cross join lateral (
         select a."mode", a."status", a."status_reason", a."review_status", a."created_at", a."type",
                a."amount_value"::float8 as "amount", a."amount_currency" as "currency"
         from "action_request" a
         where a."agent_id" = g."agent_id" and a."created_at" > ?::timestamptz - interval '${BASELINE_DAYS} days'
         order by a."created_at" desc limit ${BASELINE_SAMPLE}
       ) s
     ),
     outcomes as (
       select "agent_id", min("oldest") as "oldest",
              json_agg(json_build_object('mode', "mode", 'status', "status", 'reason', "status_reason", 'review', "review_status", 'n', "n")) as "outcomes"
       from (
         select "agent_id", "mode", "status", "status_reason", "review_status", count(*)::int as "n", min("created_at") as "oldest"
         from sample group by 1, 2, 3, 4, 5
       ) t
       group by "agent_id"
     ),
     amounts as (
       select "agent_id", json_agg(json_build_object('type', "type", 'currency', "currency", 'samples', "samples", 'p50', "p50", 'p95', "p95")
                                   order by "samples" desc, "type", "currency") as "amounts"
       from (
         select "agent_id", "type", "currency", count(*)::int as "samples",
                percentile_cont(0.5) within group (order by "amount") as "p50",
                percentile_cont(0.95) within group (order by "amount") as "p95"
         from sample where "amount" is not null
         group by "agent_id", "type", "currency"
       ) t
       group by "agent_id"
     )
     select g."agent_id",
       (select min(x."created_at") from "action_request" x where x."agent_id" = g."agent_id") as "first_at",
       (select (x."behaviour" ->> 'baselinePerHour')::float8 from "action_request" x where x."agent_id" = g."agent_id" order by x."created_at" desc limit 1) as "usual_per_hour",
       (select count(*) from (
          select 1 from "action_request" x where x."agent_id" = g."agent_id" and x."created_at" > ?::timestamptz - interval '1 hour' limit ${LAST_HOUR_CAP}
       ) h)::int as "last_hour",
       o."oldest", coalesce(o."outcomes", '[]'::json) as "outcomes", coalesce(m."amounts", '[]'::json) as "amounts"
     from g
     left join outcomes o on o."agent_id" = g."agent_id"
     left join amounts m on m."agent_id" = g."agent_id"`,
    [...agentIds, now, now],
  );
  const byAgent = new Map(rows.map((r) => [r.agent_id, r]));
  return agentIds.map((id) => summarizeBaseline(byAgent.get(id) ?? emptyBaseline(id), now));
}

function emptyBaseline(agentId: string): BaselineRow {
  return { agent_id: agentId, first_at: null, oldest: null, usual_per_hour: null, last_hour: 0, outcomes: [], amounts: [] };
}

/**
 * Turns an agent's counts into its baseline. The history covered starts 30 days ago, at the
 * agent's first request, or at the oldest sampled request when the agent sent more than the
 * sample holds — whichever is latest.
 */
export function summarizeBaseline(row: BaselineRow, now: Date): AgentBaselineType {
  const count = (holds: (o: OutcomeGroup) => boolean) => row.outcomes.reduce((n, o) => (holds(o) ? n + o.n : n), 0);
  const requests = count(() => true);
  const approved = count((o) => o.reason === StatusReason.APPROVED_BY_APPROVER);
  const denied = count((o) => o.reason === StatusReason.DENIED_BY_APPROVER);
  const changesRequested = count((o) => o.reason === StatusReason.CHANGES_REQUESTED_BY_APPROVER);
  const reviewed = count((o) => o.review === ReviewStatus.ACKNOWLEDGED || o.review === ReviewStatus.FLAGGED);
  const humanDecisions = approved + denied + changesRequested;
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

  const firstSeenAt = row.first_at === null ? null : new Date(row.first_at);
  const windowStart = now.getTime() - BASELINE_DAYS * 24 * HOUR_MS;
  const sampleFull = requests >= BASELINE_SAMPLE && row.oldest !== null;
  const starts = [windowStart, firstSeenAt?.getTime() ?? now.getTime(), sampleFull ? new Date(row.oldest!).getTime() : windowStart];
  return {
    since: new Date(Math.min(now.getTime(), Math.max(...starts))),
    firstSeenAt,
    requests,
    actionsPerHour: row.usual_per_hour,
    requestsLastHour: row.last_hour,
    byMode: countsByMode((mode) => count((o) => o.mode === mode)),
    humanDecisions,
    approvalRate: share(approved, humanDecisions),
    denialRate: share(denied, humanDecisions),
    changesRequestedRate: share(changesRequested, humanDecisions),
    reviewed,
    flagRate: share(count((o) => o.review === ReviewStatus.FLAGGED), reviewed),
    blocked: count((o) => o.reason === StatusReason.BLOCKED_BY_POLICY),
    expired: count((o) => o.status === ActionStatus.EXPIRED),
    usualAmounts: row.amounts.map((a): UsualAmountType => ({ type: a.type, currency: a.currency, p50: Number(a.p50), p95: Number(a.p95), samples: a.samples })),
  };
}
