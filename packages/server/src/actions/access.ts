import { PrincipalKind, assertNever } from '../shared/enums.js';
import { ENTRIES } from '../escalation/entries.js';
import { AppError } from '../errors.js';
import { isUuid } from '../shared/validate.js';
import type { Principal } from '../auth/principal.js';
import type { SqlExecutor } from '../db/sql.js';
import { ACTION_COLUMNS, type ActionRow } from './action.view.js';
import { RELATION_COLUMNS } from './relations.js';

/**
 * Who may read a request (DESIGN §5): its agent, admins, and approvers it is or was routed
 * to (directly or as someone's delegate) — as a column of the select over
 * `"action_request" a`, with its parameters.
 */
function readableBy(principal: Principal): { sql: string; params: unknown[] } {
  switch (principal.kind) {
    case PrincipalKind.ADMIN:
      return { sql: 'true', params: [] };
    case PrincipalKind.AGENT:
      return { sql: 'a."agent_id" = ?', params: [principal.id] };
    case PrincipalKind.APPROVER:
      return {
        sql: `exists(select 1 from ${ENTRIES} r where r."action_id" = a."id" and (r."approver_id" = ? or r."on_behalf_of_id" = ?))`,
        params: [principal.id, principal.id],
      };
    default:
      return assertNever(principal);
  }
}

/**
 * The request as a plain row with its relations (agent, active assignees, decisions), if
 * the principal may read it — one statement. A request they may not see is NOT_FOUND, not
 * FORBIDDEN: its existence is itself information. `relations` are the relation columns to
 * read with it ({@link RELATION_COLUMNS}, or HOLDER_COLUMNS to leave the assignees to their
 * resolver).
 */
export async function findReadableAction(sql: SqlExecutor, principal: Principal, id: string, relations = RELATION_COLUMNS): Promise<ActionRow> {
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
