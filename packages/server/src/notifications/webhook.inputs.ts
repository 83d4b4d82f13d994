import { InputType, Field, ID } from 'type-graphql';
import { DeliveryStatus, NotificationEvent, WebhookFormat } from './webhook.entity.js';

@InputType('CreateWebhookInput', { description: 'An endpoint for one approver or for everyone holding a role (exactly one of the two).' })
export class CreateWebhookInput {
  @Field(() => String, { description: 'http(s) URL that receives a POST per notification.' }) url!: string;
  @Field(() => ID, { nullable: true, description: 'The approver it notifies. Approvers may omit it (their own) and may register only their own.' }) approverId?: string | null;
  @Field(() => String, { nullable: true, description: 'Notify about work for anyone holding this role (admins only).' }) role?: string | null;
  @Field(() => [NotificationEvent], { nullable: true, description: 'Which events to send; all of them when omitted.' }) events?: NotificationEvent[] | null;
  @Field(() => WebhookFormat, { nullable: true, description: 'JSON (default) or SLACK (an incoming-webhook message).' }) format?: WebhookFormat | null;
}

@InputType('WebhookDeliveryFilter', { description: 'All given conditions must hold.' })
export class WebhookDeliveryFilter {
  @Field(() => ID, { nullable: true }) webhookId?: string | null;
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus | null;
  @Field(() => NotificationEvent, { nullable: true }) event?: NotificationEvent | null;
  @Field(() => ID, { nullable: true, description: 'Deliveries about this request.' }) actionId?: string | null;
}
