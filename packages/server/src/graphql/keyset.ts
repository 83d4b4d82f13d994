import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from './connection.js';

interface Keyed {
  id: string;
  createdAt: Date;
}

/**
 * One page of entities ordered by (createdAt, id), newest first or oldest first, with the
 * total count of the filter. Cursors are the (createdAt, id) of the last node.
 */
export async function pageByCreation<T extends Keyed>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: { first?: number | null; after?: string | null },
  options: { newestFirst?: boolean; populate?: string[] } = {},
): Promise<ConnectionShape<T>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const dir = options.newestFirst ? 'desc' : 'asc';
  const op = options.newestFirst ? '$lt' : '$gt';
  let filter = where;
  if (cursor) {
    const at = new Date(String(cursor[0]));
    const id = String(cursor[1]);
    const seek = { $or: [{ createdAt: { [op]: at } }, { createdAt: at, id: { [op]: id } }] };
    filter = { $and: [where, seek] } as FilterQuery<T>;
  }
  const [rows, total] = await Promise.all([
    em.find(entity, filter, { orderBy: { createdAt: dir, id: dir } as never, limit: limit + 1, populate: (options.populate ?? []) as never }),
    em.count(entity, where),
  ]);
  return toConnection(rows, limit, total, (n) => encodeCursor([n.createdAt.toISOString(), n.id]));
}
