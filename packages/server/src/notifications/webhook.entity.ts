import { Entity, PrimaryKey, Property, ManyToOne, ArrayType, JsonType, Index, Enum, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Approver } from '../principals/approver.entity.js';

export enum WebhookFormat { JSON = 'JSON', SLACK = 'SLACK' }
export enum DeliveryStatus { PENDING = 'PENDING', DELIVERED = 'DELIVERED', FAILED = 'FAILED' }
/** How a delivery of the outbox travels: to a webhook endpoint, or to an approver by mail (notifications/email/). */
/** SLACK deliveries live in their own table (slack/slack.entity.ts); the delivery log shows all three. */
export enum NotificationChannel { WEBHOOK = 'WEBHOOK', EMAIL = 'EMAIL', SLACK = 'SLACK' }

/** What an endpoint can be told about (DESIGN §2 steps 6 and 8). */
export enum NotificationEvent {
  /** A request (to approve, or to review afterwards) entered the recipient's queue. */
  ASSIGNED = 'ASSIGNED',
  /** The previous level timed out and the request moved to the recipient's level. */
  ESCALATED = 'ESCALATED',
  /** Part of the level's time has passed with no decision. */
  ABOUT_TO_EXPIRE = 'ABOUT_TO_EXPIRE',
  /** A request the recipient was asked to approve ended: approved, denied, changes requested, expired or cancelled. */
  DECIDED = 'DECIDED',
  /**
   * An agent broke glass (DESIGN §12): a request was approved with nobody deciding, and its
   * review is due. Sent to the route's reviewers and to every endpoint of a role or registered
   * by an admin, whatever events they chose: it cannot be filtered out.
   */
  BREAK_GLASS = 'BREAK_GLASS',
}

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

  /** ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE, DECIDED, BREAK_GLASS. */
  @Property({ type: ArrayType })
  events!: string[];

  @Enum({ items: () => WebhookFormat })
  format: WebhookFormat & Opt = WebhookFormat.JSON;

  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  /** Registered by an admin (for a role or a person): it hears every BREAK_GLASS. */
  @Property({ type: 'boolean' })
  createdByAdmin: boolean & Opt = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/**
 * The outbox: one row per (event, endpoint), written in the transaction of the event and
 * delivered afterwards with retries; `id` is the idempotency id receivers see.
 */
@Entity({ tableName: 'notification_delivery' })
@Index({ name: 'notification_delivery_due_idx', properties: ['status', 'nextAttemptAt'] })
// The delivery log is read newest first, overall or per endpoint or per request.
@Index({ name: 'notification_delivery_created_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'notification_delivery_endpoint_idx', properties: ['endpoint', 'createdAt', 'id'] })
@Index({ name: 'notification_delivery_action_idx', properties: ['actionId'] })
export class NotificationDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Enum({ items: () => NotificationChannel })
  channel: NotificationChannel & Opt = NotificationChannel.WEBHOOK;

  /** The webhook it goes to (WEBHOOK); null for a personal channel. */
  @ManyToOne(() => WebhookEndpoint, { nullable: true, deleteRule: 'cascade' })
  endpoint: WebhookEndpoint | null = null;

  /** The approver it goes to on a personal channel (EMAIL); null for a webhook. */
  @ManyToOne(() => Approver, { nullable: true, deleteRule: 'cascade' })
  approver: Approver | null = null;

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

  /** EMAIL: when a bounce came back for the mail after the mail server had accepted it (notifications/email/bounces/). */
  @Property({ type: 'timestamptz', nullable: true })
  bouncedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
