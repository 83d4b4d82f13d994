import { describe, expect, it } from 'vitest';
import { decodeCursor, mergeNewestFirst, toConnection, type ConnectionShape } from './paging.js';

type Node = { id: string; createdAt: Date };
const node = (id: string, minute: number): Node => ({ id, createdAt: new Date(Date.UTC(2026, 11, 5, 8, minute)) });
/** A source's page as pageByCreation answers it: newest first, `limit` nodes, whether more follow. */
const page = (all: Node[], limit: number, after: Node | null): ConnectionShape<Node> => {
  const sorted = [...all].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  const rest = after ? sorted.filter((n) => n.createdAt < after.createdAt || (n.createdAt.getTime() === after.createdAt.getTime() && n.id < after.id)) : sorted;
  return toConnection(rest.slice(0, limit + 1), limit, all.length, () => '');
};

describe('mergeNewestFirst', () => {
  it('pages two sources as one list, newest first, without skipping or repeating a node', async () => {
    const a = [node('a1', 1), node('a2', 4), node('a3', 5), node('a4', 9)];
    const b = [node('b1', 2), node('b2', 3), node('b3', 5), node('b4', 7), node('b5', 8)];
    const seen: string[] = [];
    let after: Node | null = null;
    for (let i = 0; i < 10; i++) {
      const merged = await mergeNewestFirst([page(a, 3, after), page(b, 3, after)], 3);
      expect(merged.totalCount).toBe(9);
      seen.push(...merged.nodes.map((n) => n.id));
      if (!merged.pageInfo.hasNextPage) break;
      const [at, id] = decodeCursor(merged.pageInfo.endCursor, 2) as [string, string];
      after = { id, createdAt: new Date(at) };
    }
    expect(seen).toEqual(['a4', 'b5', 'b4', 'b3', 'a3', 'a2', 'b2', 'b1', 'a1']);
  });

  it('answers an empty page when every source is empty', async () => {
    const merged = await mergeNewestFirst([page([], 5, null), page([], 5, null)], 5);
    expect(merged).toEqual({ nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
