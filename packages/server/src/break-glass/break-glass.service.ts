import type { SqlExecutor } from '../db/sql.js';

/** Break-glass on a request, as read for the API. */
export interface BreakGlassView {
  justification: string;
  used: boolean;
  reviewOverdueSince: Date | null;
}

/** Break-glass on each of `actionIds` (null where none was asked for), in their order: one query for a page of requests. */
export async function loadBreakGlass(sql: SqlExecutor, actionIds: readonly string[]): Promise<(BreakGlassView | null)[]> {
  const rows = await sql.execute<{ action_id: string; justification: string; used: boolean; review_overdue_at: Date | string | null }[]>(
    `select "action_id", "justification", "used", "review_overdue_at" from "break_glass_request" where "action_id" in (${actionIds.map(() => '?').join(', ')})`,
    [...actionIds],
  );
  const byId = new Map(rows.map((r) => [r.action_id, { justification: r.justification, used: r.used, reviewOverdueSince: r.review_overdue_at === null ? null : new Date(r.review_overdue_at) }]));
  return actionIds.map((id) => byId.get(id) ?? null);
}
