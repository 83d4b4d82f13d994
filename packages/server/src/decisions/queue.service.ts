import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from '../graphql/connection.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';

interface QueueRow {
  assignment_id: string;
  action_id: string;
  sort_at: Date;
}

/**
 * An approver's queue: the requests actively assigned to them (directly or as a
 * delegate), soonest deadline first for approvals, oldest first for reviews. One index
 * range on (approver_id, kind, deadline) where active, whatever the size of the store.
 */
export async function queuePage(
  em: EntityManager,
  approverId: string,
  kind: AssignmentKind,
  args: { first?: number | null; after?: string | null },
): Promise<ConnectionShape<ActionRequest>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const sortColumn = kind === AssignmentKind.APPROVAL ? 's."deadline"' : 's."created_at"';
  const params: unknown[] = [approverId, kind];
  let seek = '';
  if (cursor) {
    seek = `and (${sortColumn}, s."id") > (?::timestamptz, ?::uuid)`;
    params.push(cursor[0], cursor[1]);
  }
  const [rows, [count]] = await Promise.all([
    em.execute<QueueRow[]>(
      `select s."id" as "assignment_id", s."action_id", ${sortColumn} as "sort_at" from "assignment" s
       where s."approver_id" = ? and s."kind" = ? and s."active" ${seek}
       order by ${sortColumn}, s."id" limit ?`,
      [...params, limit + 1],
    ),
    em.execute<{ n: number }[]>('select count(*)::int as "n" from "assignment" where "approver_id" = ? and "kind" = ? and "active"', [approverId, kind]),
  ]);
  const actions = rows.length ? await em.find(ActionRequest, { id: { $in: rows.map((r) => r.action_id) } }) : [];
  const byId = new Map(actions.map((a) => [a.id, a]));
  const ordered = rows.map((r) => ({ row: r, action: byId.get(r.action_id)! })).filter((x) => x.action);
  const page = toConnection(ordered, limit, count!.n, ({ row }) => encodeCursor([new Date(row.sort_at).toISOString(), row.assignment_id]));
  return { ...page, nodes: page.nodes.map((n) => n.action) };
}
