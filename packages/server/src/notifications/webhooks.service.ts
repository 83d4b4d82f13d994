import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { AppError } from '../errors.js';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import { appendAudit, saveAudited } from '../audit/audit.service.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { isUuid, validName } from '../shared/validate.js';
import { pageByCreation, type ConnectionShape } from '../db/paging.js';
import { Approver } from '../principals/approver.entity.js';
import { DeliveryStatus, NotificationDelivery, NotificationEvent, WebhookEndpoint, WebhookFormat } from './webhook.entity.js';
import { generateSecret } from './signature.js';
import { PrivateDestinationError, checkDestination } from './destination.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { secretContext } from '../secrets/at-rest.js';
import type { CreateWebhookInput, WebhookDeliveryFilter } from './webhook.inputs.js';
import type { WebhookDeliveryType } from './webhook.types.js';

type Caller = Extract<Principal, { kind: PrincipalKind.ADMIN | PrincipalKind.APPROVER }>;

const ALL_EVENTS = Object.values(NotificationEvent);
const MAX_URL_LENGTH = 2048;

/** An http(s) URL fetch can send to: no credentials in it, no fragment. */
export function validUrl(value: string, field = 'url'): string {
  const raw = value.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw AppError.badInput(`${field} "${raw.slice(0, 100)}" is not a URL.`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw AppError.badInput(`${field} must be an http:// or https:// URL.`, field);
  if (url.username || url.password) throw AppError.badInput(`${field} must not carry credentials; the signature authenticates Countersign to the receiver.`, field);
  if (raw.length > MAX_URL_LENGTH) throw AppError.badInput(`${field} is longer than ${MAX_URL_LENGTH} characters.`, field);
  url.hash = '';
  return url.toString();
}

/** Where an endpoint points, for the audit trail: the origin only (a URL's path may be its secret, as Slack's are). */
function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Refuses (BAD_USER_INPUT) a URL whose host is, or resolves to, an address that is not
 * public (destination.ts), unless private addresses are allowed (development).
 */
export async function publicUrl(url: string, allowPrivate: boolean, field = 'url'): Promise<string> {
  if (allowPrivate) return url;
  try {
    await checkDestination(new URL(url));
  } catch (error) {
    if (error instanceof PrivateDestinationError) {
      throw AppError.badInput(`${field}: ${error.message}; webhooks go to public addresses only (COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE=true lifts this for development).`, field);
    }
    throw AppError.badInput(`${field}: the host ${new URL(url).hostname} does not resolve (${(error as { code?: string }).code ?? 'lookup failed'}).`, field);
  }
  return url;
}

/**
 * Registers an endpoint. Admins register for any approver or for a role; an approver
 * registers for themself only. The secret is generated here and returned once.
 */
export async function createWebhook(em: EntityManager, by: Caller, input: CreateWebhookInput, options: { allowPrivate: boolean; box: SecretBox }): Promise<{ webhook: WebhookEndpoint; secret: string }> {
  const url = validUrl(input.url);
  const events = input.events && input.events.length > 0 ? [...new Set(input.events)] : ALL_EVENTS;
  const format = input.format ?? WebhookFormat.JSON;
  let approver: Approver | null = null;
  let role: string | null = null;
  switch (by.kind) {
    case PrincipalKind.APPROVER:
      if (input.role) throw AppError.forbidden('Only admins register endpoints for a role.');
      if (input.approverId && input.approverId !== by.id) throw AppError.forbidden('Approvers register endpoints for themselves only.');
      approver = await em.findOneOrFail(Approver, { id: by.id });
      break;
    case PrincipalKind.ADMIN:
      if ((input.approverId ? 1 : 0) + (input.role ? 1 : 0) !== 1) {
        throw AppError.badInput('Give exactly one of approverId (one person) or role (everyone holding it).', input.approverId ? 'role' : 'approverId');
      }
      if (input.role) role = validName(input.role, 'role');
      else {
        approver = isUuid(input.approverId!) ? await em.findOne(Approver, { id: input.approverId! }) : null;
        if (!approver) throw AppError.notFound('Approver (approverId)', input.approverId!);
      }
      break;
    default:
      return assertNever(by);
  }
  // After the checks of who may register what: a caller refused anyway causes no DNS lookup.
  await publicUrl(url, options.allowPrivate);
  const secret = generateSecret();
  const webhook = em.create(WebhookEndpoint, { approver, role, url, secret: '', events, format, createdByAdmin: by.kind === PrincipalKind.ADMIN });
  // Stored encrypted (DESIGN §11), bound to this endpoint's row; the caller sees it in clear once.
  webhook.secret = options.box.seal(secret, secretContext.webhook(webhook.id));
  await saveAudited(em, webhook, {
    kind: 'WEBHOOK_CREATED', subjectType: 'WEBHOOK', subjectId: webhook.id, ...actorRef(by),
    data: { approverId: approver?.id ?? null, role, origin: originOf(url), events, format },
  });
  return { webhook, secret };
}

/** An endpoint the caller may see and change: admins any, approvers their own. */
async function findWebhook(em: EntityManager, by: Caller, id: string): Promise<WebhookEndpoint> {
  const webhook = isUuid(id) ? await em.findOne(WebhookEndpoint, { id, active: true }) : null;
  if (!webhook || (by.kind === PrincipalKind.APPROVER && webhook.approver?.id !== by.id)) throw AppError.notFound('Webhook', id);
  return webhook;
}

/**
 * Stops an endpoint: nothing more is queued or sent to it, and what was still pending is
 * marked FAILED. The row stays (inactive, its secret wiped) so the delivery log still names it.
 */
export async function deleteWebhook(em: EntityManager, by: Caller, id: string): Promise<WebhookEndpoint> {
  const webhook = await findWebhook(em, by, id);
  webhook.active = false;
  webhook.secret = '';
  await em.transactional(async (tx) => {
    tx.persist(webhook);
    await tx.flush();
    await tx.execute(
      `update "notification_delivery" set "status" = 'FAILED', "last_error" = 'the webhook was deleted' where "endpoint_id" = ? and "status" = 'PENDING'`,
      [webhook.id],
    );
    await appendAudit(tx, [{ kind: 'WEBHOOK_DELETED', subjectType: 'WEBHOOK', subjectId: webhook.id, ...actorRef(by), data: { origin: originOf(webhook.url) } }]);
  });
  return webhook;
}

/** Active endpoints, oldest first: admins see all (optionally one approver's or one role's), approvers their own. */
export function listWebhooks(em: EntityManager, by: Caller, args: { first?: number | null; after?: string | null; approverId?: string | null; role?: string | null }): Promise<ConnectionShape<WebhookEndpoint>> {
  const where: FilterQuery<WebhookEndpoint> = { active: true };
  if (by.kind === PrincipalKind.APPROVER) {
    if (args.approverId && args.approverId !== by.id) throw AppError.forbidden('Approvers see their own endpoints only.');
    if (args.role) throw AppError.forbidden('Only admins see role endpoints.');
    where.approver = by.id;
  } else {
    if (args.approverId) {
      if (!isUuid(args.approverId)) throw AppError.notFound('Approver', args.approverId);
      where.approver = args.approverId;
    }
    if (args.role) where.role = args.role;
  }
  return pageByCreation(em, WebhookEndpoint, where, args);
}

/** The delivery log, newest first. */
export async function listDeliveries(
  em: EntityManager,
  filter: WebhookDeliveryFilter | null | undefined,
  args: { first?: number | null; after?: string | null },
): Promise<ConnectionShape<WebhookDeliveryType>> {
  const where: FilterQuery<NotificationDelivery> = {};
  for (const [field, value] of [['webhookId', filter?.webhookId], ['actionId', filter?.actionId]] as const) {
    if (value && !isUuid(value)) throw AppError.badInput(`${field} "${value}" is not an id.`, field);
  }
  if (filter?.webhookId) where.endpoint = filter.webhookId;
  if (filter?.actionId) where.actionId = filter.actionId;
  if (filter?.status) where.status = filter.status;
  if (filter?.event) where.event = filter.event;
  const page = await pageByCreation(em, NotificationDelivery, where, args, { newestFirst: true, populate: ['endpoint'] });
  return { ...page, nodes: page.nodes.map(toDeliveryView) };
}

/** Sends a FAILED delivery again, with a fresh round of attempts (after the receiver was fixed). */
export async function retryDelivery(em: EntityManager, by: Caller, id: string): Promise<WebhookDeliveryType> {
  const delivery = isUuid(id) ? await em.findOne(NotificationDelivery, { id }, { populate: ['endpoint'] }) : null;
  if (!delivery) throw AppError.notFound('WebhookDelivery', id);
  if (delivery.status !== DeliveryStatus.FAILED) throw AppError.conflict(`Delivery ${id} is ${delivery.status}: only a FAILED delivery can be retried.`, { status: delivery.status });
  if (!delivery.endpoint.active) throw AppError.conflict(`The webhook of delivery ${id} was deleted.`);
  delivery.status = DeliveryStatus.PENDING;
  delivery.attempts = 0;
  delivery.nextAttemptAt = new Date();
  await saveAudited(em, delivery, { kind: 'WEBHOOK_DELIVERY_RETRIED', subjectType: 'WEBHOOK', subjectId: delivery.endpoint.id, ...actorRef(by), data: { deliveryId: delivery.id } });
  return toDeliveryView(delivery);
}

function toDeliveryView(d: NotificationDelivery): WebhookDeliveryType {
  return {
    id: d.id,
    webhook: d.endpoint,
    event: d.event as NotificationEvent,
    actionId: d.actionId,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    lastStatusCode: d.lastStatusCode,
    nextAttemptAt: d.status === DeliveryStatus.PENDING ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
    body: d.body,
  };
}
