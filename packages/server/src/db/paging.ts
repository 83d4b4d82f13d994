import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { AppError } from '../errors.js';

// Keyset paging of lists (DESIGN §4): page sizes, opaque cursors and pages, for any list a
// service answers; graphql/connection.ts gives them their GraphQL types.

/** Where a page ends, and whether another follows. */
export interface PageInfoShape {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ConnectionShape<T> {
  nodes: T[];
  pageInfo: PageInfoShape;
  /** A promise lets a page count while GraphQL completes its nodes (see decisions/queue.service.ts). */
  totalCount: number | Promise<number>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Validates `first`. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw AppError.badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  return first;
}

/**
 * Cursors are opaque to clients: base64url of the sort key of the last node, so paging
 * is a keyset seek (stable under inserts, and as fast on page 1,000 as on page 1).
 */
export function encodeCursor(parts: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): (string | number | null)[] | null {
  if (!cursor) return null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === arity) return parts as (string | number | null)[];
  } catch {
    // fall through to the error below
  }
  throw AppError.badInput('after is not a cursor this server issued.', 'after');
}

/** Slices one extra row off a `limit + 1` query into a page. */
export function toConnection<T>(rows: T[], limit: number, totalCount: number | Promise<number>, cursorOf: (node: T) => string): ConnectionShape<T> {
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const last = nodes[nodes.length - 1];
  return { nodes, totalCount, pageInfo: { hasNextPage, endCursor: last === undefined ? null : cursorOf(last) } };
}

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

/**
 * One newest-first page of a list kept in several tables: each source paged with the same
 * `first` and `after` (pageByCreation, newest first), merged by (createdAt, id). The next
 * page's cursor seeks every source past the same point, so no node is skipped or repeated.
 */
export async function mergeNewestFirst<T extends Keyed>(pages: ConnectionShape<T>[], first: number | null | undefined): Promise<ConnectionShape<T>> {
  const limit = pageSize(first);
  const merged = pages.flatMap((p) => p.nodes).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const nodes = merged.slice(0, limit);
  const last = nodes[nodes.length - 1];
  const totals = await Promise.all(pages.map((p) => p.totalCount));
  return {
    nodes,
    totalCount: totals.reduce((sum, n) => sum + n, 0),
    pageInfo: { hasNextPage: merged.length > limit || pages.some((p) => p.pageInfo.hasNextPage), endCursor: last === undefined ? null : encodeCursor([last.createdAt.toISOString(), last.id]) },
  };
}
