import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from '../db/paging.js';
import { ACTION_COLUMNS, toDate, type ActionRow } from '../actions/action.view.js';
import { RELATION_COLUMNS } from '../actions/relations.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { queueOf } from '../escalation/assignments.js';
import { positional } from '../db/sql.js';

interface PgConnection {
  query(text: string, values: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * One statement on a connection of the ORM's pool, sent to `pg` as a parameterised query
 * (as db/sql.ts does for the other hot reads): MikroORM would format the page's 40-odd
 * columns and every parameter into the text on the client first, at a cost comparable to
 * the statement's.
 */
async function query<T>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  const client = em.getConnection().getKnex().client as unknown as {
    acquireConnection(): Promise<PgConnection>;
    releaseConnection(connection: PgConnection): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    return (await connection.query(positional(text), params)).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}

type QueueRow = ActionRow & {
  assignment_id: string;
  sort_at: Date | string;
};

/**
 * An approver's queue: the requests actively assigned to them (directly, as a delegate, or
 * as a member of a group assignment), soonest deadline first for approvals, oldest first
 * for reviews. Their own rows are one index range on (approver_id, kind, deadline) where
 * active, whatever the size of the store; their group assignments are, for each approver
 * set they are a member of (a GIN index probe), one range on (set_id, kind, deadline)
 * where active, read no further than the page needs.
 *
 * One statement reads the page: its assignments, their requests as plain rows (no ORM
 * entities: a page is read, never changed, and hydrating 50 requests with their payloads
 * and context cost more than the rest of the page), and what an approver sees of each
 * one's relations (agent, assignees, decisions, with their approvers: actions/relations.ts).
 *
 * The queue's length is counted by a second statement on another connection, and handed
 * to GraphQL as a promise: counting a long queue visits every entry, and it runs while the server completes the page's nodes instead of
 * before.
 */
export async function queuePage(
  em: EntityManager,
  approverId: string,
  kind: AssignmentKind,
  args: { first?: number | null; after?: string | null },
): Promise<ConnectionShape<ActionRow>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const sort = (alias: string) => (kind === AssignmentKind.APPROVAL ? `${alias}."deadline"` : `${alias}."created_at"`);
  const seek = (alias: string) => (cursor ? `and (${sort(alias)}, ${alias}."id") > (?::timestamptz, ?::uuid)` : '');
  const seekParams = cursor ? [cursor[0], cursor[1]] : [];
  const queue = queueOf(approverId, kind, sort, seek, seekParams, limit + 1);
  const count = query<{ n: number }>(em, ...queue.count).then(([row]) => row!.n);
  // Whether or not the query asks for totalCount (or the page fails), a failed count must not
  // go unhandled; a query that asks for it still gets the error through its own await.
  count.catch(() => undefined);
  const rows = await query<QueueRow>(em,
    `with "page" as (
       ${queue.page[0]}
       order by "sort_at", "assignment_id" limit ?
     )
     select p."assignment_id", p."sort_at", ${ACTION_COLUMNS}, ${RELATION_COLUMNS}
     from "page" p join "action_request" a on a."id" = p."action_id"
     order by p."sort_at", p."assignment_id"`,
    [...queue.page[1], limit + 1],
  );
  return toConnection(rows, limit, count, (r) => encodeCursor([toDate(r.sort_at).toISOString(), r.assignment_id]));
}
