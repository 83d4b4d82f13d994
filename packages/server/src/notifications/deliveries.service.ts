import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { AppError } from '../errors.js';
import { isUuid } from '../shared/validate.js';
import { saveAudited } from '../audit/audit.service.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { mergeNewestFirst, pageByCreation, type ConnectionShape } from '../db/paging.js';
import { DeliveryStatus, NotificationChannel, NotificationDelivery } from './webhook.entity.js';
import { SlackDelivery } from './slack/slack.entity.js';

/** What the delivery log shows of one delivery, whatever its channel. */
export interface DeliveryView {
  id: string;
  channel: NotificationChannel;
  event: string;
  actionId: string | null;
  recipient: NotificationDelivery['approver'];
  webhook: NotificationDelivery['endpoint'];
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  bouncedAt: Date | null;
  createdAt: Date;
}

export interface DeliveryFilter {
  channel?: NotificationChannel | null;
  status?: DeliveryStatus | null;
  event?: string | null;
  actionId?: string | null;
  approverId?: string | null;
  bounced?: boolean | null;
}

/** The outbox of every channel, newest first: what was sent to whom, and what failed and why. */
export async function listAllDeliveries(em: EntityManager, filter: DeliveryFilter | null | undefined, args: PageArgs): Promise<ConnectionShape<DeliveryView>> {
  for (const [field, value] of [['actionId', filter?.actionId], ['approverId', filter?.approverId]] as const) {
    if (value && !isUuid(value)) throw AppError.badInput(`${field} "${value}" is not an id.`, field);
  }
  const channel = filter?.channel ?? null;
  const pages: Promise<ConnectionShape<DeliveryView>>[] = [];
  if (channel !== NotificationChannel.SLACK) pages.push(outboxPage(em, filter, args));
  // Slack messages do not bounce.
  if ((channel === null || channel === NotificationChannel.SLACK) && filter?.bounced !== true) pages.push(slackPage(em, filter, args));
  const answered = await Promise.all(pages);
  return answered.length === 1 ? answered[0]! : mergeNewestFirst(answered, args.first);
}

/** The conditions both delivery tables answer alike (the same property names). */
function sharedWhere(filter: DeliveryFilter | null | undefined): { status?: DeliveryStatus; event?: string; actionId?: string; approver?: string } {
  return {
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.event ? { event: filter.event } : {}),
    ...(filter?.actionId ? { actionId: filter.actionId } : {}),
    ...(filter?.approverId ? { approver: filter.approverId } : {}),
  };
}

type PageArgs = { first?: number | null; after?: string | null };

/** Webhook and email deliveries (`notification_delivery`). */
async function outboxPage(em: EntityManager, filter: DeliveryFilter | null | undefined, args: PageArgs): Promise<ConnectionShape<DeliveryView>> {
  const where: FilterQuery<NotificationDelivery> = sharedWhere(filter);
  if (filter?.channel) where.channel = filter.channel;
  if (filter?.bounced === true) where.bouncedAt = { $ne: null };
  if (filter?.bounced === false) where.bouncedAt = null;
  const page = await pageByCreation(em, NotificationDelivery, where, args, { newestFirst: true, populate: ['endpoint', 'approver'] });
  return { ...page, nodes: page.nodes.map(toView) };
}

/** Slack posts and message updates (`slack_delivery`). */
async function slackPage(em: EntityManager, filter: DeliveryFilter | null | undefined, args: PageArgs): Promise<ConnectionShape<DeliveryView>> {
  const page = await pageByCreation(em, SlackDelivery, sharedWhere(filter), args, { newestFirst: true, populate: ['approver'] });
  return { ...page, nodes: page.nodes.map(toView) };
}

/**
 * Sends a FAILED delivery of any channel again, with a fresh round of attempts (after the
 * receiver, the mail server, the approver's address or the Slack app was fixed).
 */
export async function retryAnyDelivery(em: EntityManager, by: Principal, id: string): Promise<DeliveryView> {
  const delivery = isUuid(id)
    ? (await em.findOne(NotificationDelivery, { id }, { populate: ['endpoint', 'approver'] })) ?? (await em.findOne(SlackDelivery, { id }, { populate: ['approver'] }))
    : null;
  if (!delivery) throw AppError.notFound('NotificationDelivery', id);
  if (delivery.status !== DeliveryStatus.FAILED) throw AppError.conflict(`Delivery ${id} is ${delivery.status}: only a FAILED delivery can be retried.`, { status: delivery.status });
  const endpoint = delivery instanceof NotificationDelivery ? delivery.endpoint : null;
  if (endpoint && !endpoint.active) throw AppError.conflict(`The webhook of delivery ${id} was deleted.`);
  delivery.status = DeliveryStatus.PENDING;
  delivery.attempts = 0;
  delivery.nextAttemptAt = new Date();
  const channel = delivery instanceof NotificationDelivery ? delivery.channel : NotificationChannel.SLACK;
  await saveAudited(em, delivery, {
    kind: 'NOTIFICATION_DELIVERY_RETRIED', subjectType: endpoint ? 'WEBHOOK' : delivery.approver ? 'APPROVER' : 'ACTION', subjectId: endpoint?.id ?? delivery.approver?.id ?? delivery.actionId ?? null,
    ...actorRef(by), data: { deliveryId: delivery.id, channel },
  });
  return toView(delivery);
}

/** A delivery of either table as the log shows it; what only webhooks and mail have is null for Slack. */
function toView(d: NotificationDelivery | SlackDelivery): DeliveryView {
  const outbox = d instanceof NotificationDelivery ? d : null;
  return {
    id: d.id,
    channel: outbox ? outbox.channel : NotificationChannel.SLACK,
    event: d.event,
    actionId: d.actionId,
    recipient: d.approver,
    webhook: outbox?.endpoint ?? null,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    lastStatusCode: outbox?.lastStatusCode ?? null,
    nextAttemptAt: d.status === DeliveryStatus.PENDING ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt,
    bouncedAt: outbox?.bouncedAt ?? null,
    createdAt: d.createdAt,
  };
}
