import type { Api } from './client.js';
import type { Operation } from './operation.js';
import type { Connection, PageVariables } from './types.js';

/** The server's largest page (packages/server graphql/connection.ts, MAX_PAGE_SIZE). */
export const MAX_PAGE = 500;

/**
 * Walks a connection page by page, yielding nodes until `limit` (or the end). Pages are
 * as large as the server allows, so an export of a million events is a few thousand
 * requests rather than a million, and memory stays at one page.
 */
export async function* walk<TData, TVariables extends PageVariables, TNode>(
  api: Api,
  operation: Operation<TData, TVariables>,
  variables: Omit<TVariables, 'first' | 'after'>,
  pick: (data: TData) => Connection<TNode>,
  limit = Number.POSITIVE_INFINITY,
): AsyncGenerator<TNode, void, undefined> {
  let after: string | null = null;
  let yielded = 0;
  while (yielded < limit) {
    const first = Math.min(MAX_PAGE, limit - yielded);
    const page: Connection<TNode> = pick(await api.request(operation, { ...variables, first, after } as TVariables));
    for (const node of page.nodes) {
      if (yielded >= limit) return;
      yield node;
      yielded += 1;
    }
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}

/** A list command's result: the nodes shown and how many exist in all. */
export interface Listing<T> {
  readonly nodes: readonly T[];
  readonly totalCount: number;
}

/**
 * Collects up to `limit` nodes and the total count, for list commands that print
 * "showing 50 of 1,204".
 */
export async function collect<TData, TVariables extends PageVariables, TNode>(
  api: Api,
  operation: Operation<TData, TVariables>,
  variables: Omit<TVariables, 'first' | 'after'>,
  pick: (data: TData) => Connection<TNode>,
  limit: number,
): Promise<Listing<TNode>> {
  const nodes: TNode[] = [];
  let totalCount = 0;
  let after: string | null = null;
  while (nodes.length < limit) {
    const first = Math.min(MAX_PAGE, limit - nodes.length);
    const page: Connection<TNode> = pick(await api.request(operation, { ...variables, first, after } as TVariables));
    totalCount = page.totalCount;
    nodes.push(...page.nodes.slice(0, limit - nodes.length));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  return { nodes, totalCount };
}
