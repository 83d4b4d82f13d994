import { PrincipalKind, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid } from '../shared/validate.js';
import type { Principal } from '../auth/principal.js';
import type { SqlExecutor } from '../db/sql.js';
import { everAssigned } from '../escalation/assignments.js';
import { ACTION_COLUMNS, type ActionRow } from './action.view.js';
import { RELATION_COLUMNS } from './relations.js';

/**
 * Who may read a request (DESIGN §2 and §5) — the one rule every path to a request applies
 * (`action`, `actionUpdated`, `revisionOf`, `revisionChanges`, and, with
 * {@link historyReadableBy}, `agent.recentActions` and `similar`; queue pages and queue
 * events only ever carry requests routed to the reader):
 * - admins: every request;
 * - agents: their own;
 * - approvers: a request that is or was routed to them — assigned to them (in their own
 *   right, as a member of a group assignment, or as someone's delegate) or to someone in
 *   their place (they delegated it away) — and, read-only, the requests of agents they own.
 *
 * As a boolean SQL expression over the request `alias` (a relation with the columns of
 * `action_request`), with its parameters. Each branch is an index probe per request:
 * assignments by action, group assignments by action with one array containment, the
 * agent by primary key.
 */
export function readableBy(principal: Principal | null, alias = 'a'): { sql: string; params: unknown[] } {
  if (principal === null) return { sql: 'false', params: [] };
  switch (principal.kind) {
    case PrincipalKind.ADMIN:
      return { sql: 'true', params: [] };
    case PrincipalKind.AGENT:
      return { sql: `${alias}."agent_id" = ?`, params: [principal.id] };
    case PrincipalKind.APPROVER: {
      const assigned = everAssigned(alias);
      return {
        sql: `(${assigned.sql}
          or exists(select 1 from "agent" ro where ro."id" = ${alias}."agent_id" and ro."owner_id" = ?))`,
        params: [...assigned.params(principal.id), principal.id],
      };
    }
    default:
      return assertNever(principal);
  }
}

/**
 * Who may read a request in an agent's history, in brief (an `ActionDigest`: no payload,
 * no context): {@link readableBy}, and for an approver who governs the agent — one of its
 * latest `scan` requests is readable by them (routed to them, or they own it) — also its
 * requests that nobody was ever asked about (decided at birth by the system: AUTO, BLOCK,
 * no route, suspended), which are the agent's normal behaviour rather than anyone else's
 * work. A request routed to other people stays out. `agentId` is an expression for the
 * agent whose history it is; the request is `a`.
 */
export function historyReadableBy(principal: Principal | null, agentId: string, scan: number): { sql: string; params: unknown[] } {
  const readable = readableBy(principal);
  if (principal?.kind !== PrincipalKind.APPROVER) return readable;
  const governs = readableBy(principal, 'w');
  return {
    sql: `(${readable.sql} or (a."escalation_level" is null and exists(
        select 1 from (select x."id", x."agent_id" from "action_request" x where x."agent_id" = ${agentId} order by x."created_at" desc limit ${scan}) w
        where ${governs.sql})))`,
    params: [...readable.params, ...governs.params],
  };
}

/**
 * The request as a plain row with its relations (agent, active assignees, decisions), if
 * the principal may read it — one statement. A request they may not see is NOT_FOUND, not
 * FORBIDDEN: its existence is itself information. `relations` are the relation columns to
 * read with it ({@link RELATION_COLUMNS}, or HOLDER_COLUMNS to leave the assignees to their
 * resolver).
 */
export async function findReadableAction(sql: SqlExecutor, principal: Principal | null, id: string, relations = RELATION_COLUMNS): Promise<ActionRow> {
  const readable = readableBy(principal);
  const [row] = isUuid(id)
    ? await sql.execute<(ActionRow & { readable: boolean })[]>(
        `select ${ACTION_COLUMNS}, ${relations}, ${readable.sql} as "readable" from "action_request" a where a."id" = ?`,
        [...readable.params, id],
      )
    : [];
  if (!row?.readable) throw AppError.notFound('ActionRequest', id);
  return row;
}

/** The request as a plain row with its relations, for a reader already allowed to see it; null when gone. */
export async function readAction(sql: SqlExecutor, id: string, relations = RELATION_COLUMNS): Promise<ActionRow | null> {
  const [row] = await sql.execute<ActionRow[]>(`select ${ACTION_COLUMNS}, ${relations} from "action_request" a where a."id" = ?`, [id]);
  return row ?? null;
}
