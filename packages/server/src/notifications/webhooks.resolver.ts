import { Resolver, Query, Mutation, Arg, Ctx, Authorized, ID, Int, FieldResolver, Root } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import { requireKind, type Context } from '../graphql/context.js';
import { ApproverType } from '../principals/principal.types.js';
import type { Approver } from '../principals/approver.entity.js';
import type { WebhookEndpoint } from './webhook.entity.js';
import { CreateWebhookInput, WebhookDeliveryFilter } from './webhook.inputs.js';
import { CreateWebhookPayload, WebhookConnection, WebhookDeliveryConnection, WebhookDeliveryType, WebhookType } from './webhook.types.js';
import * as webhooks from './webhooks.service.js';
import { sentBody } from './render.js';
import { JSONScalar } from '../graphql/scalars.js';

@Resolver(() => WebhookType)
export class WebhooksResolver {
  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Mutation(() => CreateWebhookPayload, {
    description: 'Registers a webhook for an approver or a role (approvers: for themselves). Returns the signing secret once.',
  })
  createWebhook(@Ctx() ctx: Context, @Arg('input', () => CreateWebhookInput) input: CreateWebhookInput) {
    return webhooks.createWebhook(ctx.em, requireKind(ctx, PrincipalKind.ADMIN, PrincipalKind.APPROVER), input);
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Mutation(() => WebhookType, { description: 'Stops a webhook (approvers: their own); its pending deliveries are marked FAILED.' })
  deleteWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return webhooks.deleteWebhook(ctx.em, requireKind(ctx, PrincipalKind.ADMIN, PrincipalKind.APPROVER), id);
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Query(() => WebhookConnection, { description: 'Registered webhooks, oldest first: admins see all, approvers their own.' })
  webhooks(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('approverId', () => ID, { nullable: true, description: "Only this approver's webhooks." }) approverId?: string,
    @Arg('role', () => String, { nullable: true, description: "Only this role's webhooks." }) role?: string,
  ) {
    return webhooks.listWebhooks(ctx.em, requireKind(ctx, PrincipalKind.ADMIN, PrincipalKind.APPROVER), { first, after, approverId, role });
  }

  @Authorized(PrincipalKind.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first: status, attempts, last error and status code of every notification.' })
  webhookDeliveries(
    @Ctx() ctx: Context,
    @Arg('filter', () => WebhookDeliveryFilter, { nullable: true }) filter?: WebhookDeliveryFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return webhooks.listDeliveries(ctx.em, filter, { first, after });
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a FAILED delivery again, with a fresh round of attempts.' })
  retryWebhookDelivery(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return webhooks.retryDelivery(ctx.em, requireKind(ctx, PrincipalKind.ADMIN), id);
  }

  @FieldResolver(() => ApproverType, { nullable: true, description: 'The approver it notifies (null for a role endpoint).' })
  approver(@Root() webhook: WebhookEndpoint, @Ctx() ctx: Context): Promise<Approver | null> | null {
    return webhook.approver ? ctx.loaders.approver.load(webhook.approver.id) : null;
  }
}

@Resolver(() => WebhookDeliveryType)
export class WebhookDeliveryFieldsResolver {
  // The link to the request's page is added as the body is sent (render.ts): shown the same way.
  @FieldResolver(() => JSONScalar, { description: 'The exact JSON sent.' })
  body(@Root() delivery: WebhookDeliveryType, @Ctx() ctx: Context): unknown {
    return sentBody(delivery.webhook.format, delivery.body, delivery.actionId, ctx.services.config.publicUrl);
  }
}
