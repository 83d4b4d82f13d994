import { ObjectType, Field, ID, Int, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';
import { DeliveryStatus, NotificationEvent, WebhookFormat, type WebhookEndpoint } from './webhook.entity.js';

registerEnumType(NotificationEvent, {
  name: 'NotificationEvent',
  valuesConfig: {
    ASSIGNED: { description: 'A request to approve (or to review afterwards) entered the queue.' },
    ESCALATED: { description: 'The previous level timed out; the request moved to this level.' },
    ABOUT_TO_EXPIRE: { description: "Part of the level's timeout has passed with no decision." },
    DECIDED: { description: 'A request routed for approval ended: approved, denied, changes requested, expired or cancelled.' },
    BREAK_GLASS: { description: 'An agent broke glass: a request was approved with nobody deciding, and its review is due. Sent to the reviewers and to every endpoint of a role or registered by an admin, whatever events it chose.' },
  },
});
registerEnumType(WebhookFormat, { name: 'WebhookFormat', description: 'JSON for programs; SLACK for a Slack-compatible incoming webhook ({text, blocks}).' });
registerEnumType(DeliveryStatus, { name: 'WebhookDeliveryStatus', description: 'PENDING until delivered (2xx) or out of attempts (FAILED).' });

@ObjectType('Webhook', { description: 'Where notifications for an approver, or for a role, are POSTed. The secret is shown only at creation.' })
export class WebhookType {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => String, { nullable: true, description: 'Set for a role endpoint.' }) role!: string | null;
  @Field(() => [NotificationEvent]) events!: NotificationEvent[];
  @Field(() => WebhookFormat) format!: WebhookFormat;
  @Field(() => Boolean, { description: 'False once deleted (kept so the delivery log still names it).' }) active!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('CreateWebhookPayload')
export class CreateWebhookPayload {
  @Field(() => WebhookType) webhook!: WebhookType;
  @Field(() => String, { description: 'The HMAC-SHA256 signing secret. Shown once: store it with the receiver.' }) secret!: string;
}

@ObjectType('WebhookDelivery', { description: 'One notification to one endpoint, with how its delivery went. Its id is the idempotency id the receiver sees.' })
export class WebhookDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => WebhookType, { description: 'The endpoint it was sent to.' }) webhook!: WebhookEndpoint;
  @Field(() => NotificationEvent) event!: NotificationEvent;
  @Field(() => ID, { nullable: true }) actionId!: string | null;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => String, { nullable: true, description: 'Why the latest failed attempt failed (kept after a later success, to show what went wrong).' }) lastError!: string | null;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last response, if one came.' }) lastStatusCode!: number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due (PENDING only).' }) nextAttemptAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => JSONScalar, { description: 'The exact JSON sent.' }) body!: unknown;
}

export const WebhookConnection = Connection(WebhookType, 'WebhookConnection');
export const WebhookDeliveryConnection = Connection(WebhookDeliveryType, 'WebhookDeliveryConnection');
