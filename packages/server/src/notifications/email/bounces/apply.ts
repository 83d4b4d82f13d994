import type { SqlExecutor } from '../../../db/sql.js';
import type { Bounce } from './dsn.js';
import { bounceOutcome, type BounceChange, type RetrySettings } from './outcome.js';

/** What became of one report. */
export type Applied = 'applied' | 'noted' | 'duplicate' | 'unknown' | 'stale';

/**
 * Records a bounce against its delivery in one transaction (`sql` is one): the report is
 * kept once (`email_bounce`, keyed by report), and the delivery changes as
 * {@link bounceOutcome} says — under the row's lock, so a send in flight and the bounce
 * do not both write. The outbox worker picks up a delivery made PENDING again.
 */
export async function applyBounce(sql: SqlExecutor, bounce: Bounce, settings: RetrySettings, now = new Date()): Promise<{ applied: Applied; change: BounceChange | null }> {
  const [delivery] = await sql.execute<{ status: 'PENDING' | 'DELIVERED' | 'FAILED'; attempts: number; email: string | null }[]>(
    `select d."status", d."attempts", ap."email" from "notification_delivery" d
       left join "approver" ap on ap."id" = d."approver_id"
      where d."id" = ? and d."channel" = 'EMAIL' for update of d`,
    [bounce.deliveryId],
  );
  if (!delivery) return { applied: 'unknown', change: null };
  const recorded = await sql.execute<{ report_key: string }[]>(
    `insert into "email_bounce" ("report_key", "delivery_id", "kind", "status", "diagnostic", "recipient", "received_at")
     values (?, ?, ?, ?, ?, ?, ?) on conflict ("report_key") do nothing returning "report_key"`,
    [bounce.reportKey, bounce.deliveryId, bounce.kind, bounce.status, bounce.diagnostic, bounce.recipient, now],
  );
  if (recorded.length === 0) return { applied: 'duplicate', change: null };
  const change = bounceOutcome({ status: delivery.status, attempts: delivery.attempts, email: delivery.email }, bounce, settings, now);
  if (!change) return { applied: 'stale', change: null };
  await sql.execute(
    `update "notification_delivery" set "status" = ?, "last_error" = ?, "last_status_code" = coalesce(?, "last_status_code"),
            "next_attempt_at" = coalesce(?, "next_attempt_at"), "bounced_at" = case when ? then ? else "bounced_at" end
      where "id" = ?`,
    [change.status, change.lastError, change.lastStatusCode, change.nextAttemptAt, change.bounced, now, bounce.deliveryId],
  );
  return { applied: change.bounced ? 'applied' : 'noted', change };
}
