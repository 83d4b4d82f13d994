import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import { requireKind, type Context } from '../graphql/context.js';
import { NotificationDeliveryConnection, NotificationDeliveryFilter, NotificationDeliveryType } from './deliveries.types.js';
import { listAllDeliveries, retryAnyDelivery } from './deliveries.service.js';

@Resolver(() => NotificationDeliveryType)
export class NotificationDeliveriesResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Query(() => NotificationDeliveryConnection, { description: 'The delivery log of every channel (webhooks, email, Slack), newest first: status, attempts, and why the last attempt failed.' })
  notificationDeliveries(
    @Ctx() ctx: Context,
    @Arg('filter', () => NotificationDeliveryFilter, { nullable: true }) filter?: NotificationDeliveryFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listAllDeliveries(ctx.em, filter, { first, after });
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => NotificationDeliveryType, { description: 'Sends a FAILED delivery of any channel again, with a fresh round of attempts.' })
  retryNotificationDelivery(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return retryAnyDelivery(ctx.em, requireKind(ctx, PrincipalKind.ADMIN), id);
  }
}
