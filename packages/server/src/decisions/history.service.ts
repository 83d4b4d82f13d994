import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from '../db/paging.js';
import { Decision } from './decision.entity.js';

/**
 * The requests an approver decided (their own verdicts, also those given as a delegate),
 * most recent verdict first: the web app's `/history`. One index range on
 * decision(approver_id, at); the cursor is the (at, id) of the last verdict.
 */
export async function decidedBy(
  em: EntityManager,
  approverId: string,
  args: { first?: number | null; after?: string | null },
): Promise<ConnectionShape<Decision>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const mine: FilterQuery<Decision> = { approver: approverId };
  let filter = mine;
  if (cursor) {
    const at = new Date(String(cursor[0]));
    const id = String(cursor[1]);
    filter = { $and: [mine, { $or: [{ at: { $lt: at } }, { at, id: { $lt: id } }] }] };
  }
  const [rows, total] = await Promise.all([
    em.find(Decision, filter, { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1, populate: ['action'] }),
    em.count(Decision, mine),
  ]);
  return toConnection(rows, limit, total, (d) => encodeCursor([d.at.toISOString(), d.id]));
}
