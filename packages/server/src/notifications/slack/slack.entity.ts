import { Entity, PrimaryKey, Property, ManyToOne, JsonType, Index, Enum, Unique, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Approver } from '../../principals/approver.entity.js';
import { DeliveryStatus } from '../webhook.entity.js';

/**
 * The Slack side of the outbox (DESIGN §14): one row per message to post (an approver's
 * direct message about ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE) or per request whose
 * messages are to be updated (DECIDED), written in the transaction of the audit event,
 * delivered afterwards with retries, at least once; `id` is the delivery id.
 */
@Entity({ tableName: 'slack_delivery' })
@Index({ name: 'slack_delivery_due_idx', properties: ['status', 'nextAttemptAt'] })
@Index({ name: 'slack_delivery_action_idx', properties: ['actionId'] })
export class SlackDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE (a message posted) or DECIDED (the request's messages updated). */
  @Property({ type: 'text' })
  event!: string;

  @Property({ type: 'uuid' })
  actionId!: string;

  /** Whom the message is for; null for DECIDED. */
  @ManyToOne(() => Approver, { nullable: true, deleteRule: 'cascade' })
  approver: Approver | null = null;

  /** The notification's facts (intents.ts `IntentDetail`, with its audit seq and time); the request itself is read when sending. */
  @Property({ type: JsonType })
  detail!: unknown;

  @Enum({ items: () => DeliveryStatus })
  status: DeliveryStatus & Opt = DeliveryStatus.PENDING;

  @Property({ type: 'smallint' })
  attempts: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  nextAttemptAt: Date & Opt = new Date();

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/** A direct message posted about a request: where it is, so that it can be updated in place. */
@Entity({ tableName: 'slack_message' })
@Index({ name: 'slack_message_action_idx', properties: ['actionId'] })
export class SlackMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'uuid' })
  actionId!: string;

  @ManyToOne(() => Approver, { deleteRule: 'cascade' })
  approver!: Approver;

  /** The delivery that posted it: a retried delivery whose message is recorded is not posted again. */
  @Unique({ name: 'slack_message_delivery_unique' })
  @Property({ type: 'uuid' })
  deliveryId!: string;

  /** The direct-message channel (`D…`) and the message's timestamp, as `chat.update` takes them. */
  @Property({ type: 'text' })
  channel!: string;

  @Property({ type: 'text' })
  ts!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
