import { Entity, PrimaryKey, Property, ManyToOne, ArrayType, JsonType, Index, Enum, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Approver } from '../principals/approver.entity.js';

export enum WebhookFormat { JSON = 'JSON', SLACK = 'SLACK' }
export enum DeliveryStatus { PENDING = 'PENDING', DELIVERED = 'DELIVERED', FAILED = 'FAILED' }

/** Where to tell an approver (or everyone holding a role) about work. */
@Entity({ tableName: 'webhook_endpoint' })
export class WebhookEndpoint {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Approver, { nullable: true, deleteRule: 'cascade' })
  approver: Approver | null = null;

  @Property({ type: 'text', nullable: true })
  role: string | null = null;

  @Property({ type: 'text' })
  url!: string;

  /** HMAC-SHA256 key for the signature header; needed in clear to sign, never returned after creation. */
  @Property({ type: 'text', hidden: true })
  secret!: string;

  /** ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE, DECIDED. */
  @Property({ type: ArrayType })
  events!: string[];

  @Enum({ items: () => WebhookFormat })
  format: WebhookFormat & Opt = WebhookFormat.JSON;

  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/**
 * The outbox: one row per (event, endpoint), written in the transaction of the event and
 * delivered afterwards with retries; `id` is the idempotency id receivers see.
 */
@Entity({ tableName: 'notification_delivery' })
@Index({ name: 'notification_delivery_due_idx', properties: ['status', 'nextAttemptAt'] })
export class NotificationDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => WebhookEndpoint, { deleteRule: 'cascade' })
  endpoint!: WebhookEndpoint;

  @Property({ type: 'text' })
  event!: string;

  @Property({ type: 'uuid', nullable: true })
  actionId: string | null = null;

  @Property({ type: JsonType })
  body!: unknown;

  @Enum({ items: () => DeliveryStatus })
  status: DeliveryStatus & Opt = DeliveryStatus.PENDING;

  @Property({ type: 'smallint' })
  attempts: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  nextAttemptAt: Date & Opt = new Date();

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'smallint', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
