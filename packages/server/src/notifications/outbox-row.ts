import { randomUUID } from 'node:crypto';
import type { ActionFacts } from './render.js';
import { NotificationChannel } from './webhook.entity.js';

/** One row of the outbox (`notification_delivery`), whatever channel it travels on. */
export interface OutboxRow {
  /** The delivery id: the idempotency id the receiver sees (a webhook header, a mail's Message-ID). */
  id: string;
  channel: NotificationChannel;
  /** WEBHOOK: the endpoint. */
  endpointId: string | null;
  /** A personal channel (EMAIL): the approver it goes to. */
  approverId: string | null;
  event: string;
  actionId: string | null;
  body: unknown;
}

/** What one channel adds to the outbox for a batch of audit events, once their place in the chain is known. */
export interface ChannelPlan {
  /** The rows, with `seqBase` added to the events' provisional `seq` (see outbox.ts). */
  rows(seqBase: number): OutboxRow[];
}

/** Reads what messages say about requests, once per request however many channels ask (outbox.ts). */
export type FactsLoader = (actionIds: readonly string[]) => Promise<Map<string, ActionFacts>>;

export function newDeliveryId(): string {
  return randomUUID();
}

/** The INSERT of outbox rows, due at once (a statement, or the body of a data-modifying CTE). */
export function outboxInsert(rows: readonly OutboxRow[], now: Date): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  for (const row of rows) params.push(row.id, row.channel, row.endpointId, row.approverId, row.event, row.actionId, JSON.stringify(row.body), now, now);
  return {
    sql: `insert into "notification_delivery" ("id", "channel", "endpoint_id", "approver_id", "event", "action_id", "body", "status", "attempts", "next_attempt_at", "created_at")
          values ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)").join(', ')}`,
    params,
  };
}
