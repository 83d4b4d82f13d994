import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from '../db/paging.js';
import { Decision } from './decision.entity.js';

/**
 * The requests an approver decided (their own verdicts, also those given as a delegate),
 * most recent verdict first: the web app's `/history`. A request appears once, at the
 * approver's latest verdict on it (re-approving a changed payload is one request, not two);
 * the cursor is the (at, id) of that verdict.
 */
export async function decidedBy(
  em: EntityManager,
  approverId: string,
  args: { first?: number | null; after?: string | null },
): Promise<ConnectionShape<Decision>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const params: unknown[] = [approverId];
  let after = '';
  if (cursor) {
    after = 'and (d."at", d."id") < (?, ?)';
    params.push(new Date(String(cursor[0])), String(cursor[1]));
  }
  params.push(limit + 1);
  const conn = em.getConnection();
  const [latest, [{ total }]] = await Promise.all([
    conn.execute<{ id: string }[]>(
      `select d."id" from "decision" d
        where d."approver_id" = ? ${after}
          and not exists (select 1 from "decision" n where n."approver_id" = d."approver_id" and n."action_id" = d."action_id"
                           and (n."at", n."id") > (d."at", d."id"))
        order by d."at" desc, d."id" desc limit ?`,
      params,
    ),
    conn.execute<{ total: number }[]>('select count(distinct "action_id")::int as "total" from "decision" where "approver_id" = ?', [approverId]),
  ]);
  const found = latest.length ? await em.find(Decision, { id: { $in: latest.map((r) => r.id) } }, { populate: ['action'] }) : [];
  const byId = new Map(found.map((d) => [d.id, d]));
  const rows = latest.map((r) => byId.get(r.id)).filter((d): d is Decision => d !== undefined);
  return toConnection(rows, limit, total, (d) => encodeCursor([d.at.toISOString(), d.id]));
}
