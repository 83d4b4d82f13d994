import { ObjectType, Field, Int, ClassType } from 'type-graphql';
import { AppError } from '../errors.js';

@ObjectType({ description: 'Where a page ends, and whether another follows.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

export interface ConnectionShape<T> {
  nodes: T[];
  pageInfo: PageInfo;
  /** A promise lets a page count while GraphQL completes its nodes (see decisions/queue.service.ts). */
  totalCount: number | Promise<number>;
}

/** Builds the `{nodes, pageInfo, totalCount}` connection type for a node type (DESIGN §4). */
export function Connection<T extends object>(node: ClassType<T>, name: string): ClassType<ConnectionShape<T>> {
  @ObjectType(name)
  class ConnectionClass implements ConnectionShape<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many nodes match, across all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
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
