import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';
import { ApproverType } from '../principals/principal.types.js';
import type { Approver } from '../principals/approver.entity.js';
import { DeliveryStatus, NotificationChannel, type WebhookEndpoint } from './webhook.entity.js';
import { WebhookType } from './webhook.types.js';

registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  valuesConfig: {
    WEBHOOK: { description: 'POSTed to a registered webhook.' },
    EMAIL: { description: "Mailed to the approver's email address (COUNTERSIGN_SMTP_URL)." },
    SLACK: { description: "A direct message to the approver's Slack account, or (no recipient) the update of a request's messages once it ended or escalated." },
  },
});

@ObjectType('NotificationDelivery', { description: 'One notification on any channel, with how its delivery went. Its id is the idempotency id (a webhook header; the Message-ID of a mail).' })
export class NotificationDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => NotificationChannel) channel!: NotificationChannel;
  @Field(() => String, { description: 'ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE, DECIDED, or DIGEST (the daily review digest).' }) event!: string;
  @Field(() => ID, { nullable: true, description: 'The request it is about (null for a digest).' }) actionId!: string | null;
  @Field(() => ApproverType, { nullable: true, description: 'Whom it was sent to, on a personal channel (EMAIL, SLACK); null for the update of a request\'s Slack messages.' }) recipient!: Approver | null;
  @Field(() => WebhookType, { nullable: true, description: 'The endpoint it was sent to (WEBHOOK).' }) webhook!: WebhookEndpoint | null;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => String, { nullable: true, description: 'Why the latest failed attempt failed: the HTTP status line, the SMTP reply or connection error, or the bounce that came back.' }) lastError!: string | null;
  @Field(() => Int, { nullable: true, description: 'The HTTP status, or the SMTP reply code, of the last answer.' }) lastStatusCode!: number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due (PENDING only).' }) nextAttemptAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'EMAIL: when the mail bounced after the mail server had accepted it (read from the bounce mailbox, COUNTERSIGN_BOUNCE_IMAP_URL); lastError says why.' }) bouncedAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@InputType('NotificationDeliveryFilter', { description: 'All given conditions must hold.' })
export class NotificationDeliveryFilter {
  @Field(() => NotificationChannel, { nullable: true }) channel?: NotificationChannel | null;
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus | null;
  @Field(() => String, { nullable: true, description: 'ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE, DECIDED or DIGEST.' }) event?: string | null;
  @Field(() => ID, { nullable: true, description: 'Deliveries about this request.' }) actionId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Deliveries to this approver (personal channels).' }) approverId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: mails that bounced after they were sent; false: those that did not.' }) bounced?: boolean | null;
}

export const NotificationDeliveryConnection = Connection(NotificationDeliveryType, 'NotificationDeliveryConnection');
