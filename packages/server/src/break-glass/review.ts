import type { SqlExecutor } from '../db/sql.js';

/**
 * Records that a break-glass approval's mandatory review is overdue: its chain ran out
 * with nobody acknowledging or flagging it (escalation/timer.worker.ts). The request stays
 * APPROVED and in the last level's review queue; the first time counts.
 */
export async function markReviewOverdue(sql: SqlExecutor, actionId: string, now: Date): Promise<void> {
  await sql.execute('update "break_glass_request" set "review_overdue_at" = ? where "action_id" = ? and "review_overdue_at" is null', [now, actionId]);
}
