import { MY_NOTIFICATIONS, NOTIFICATION_DELIVERIES, RETRY_NOTIFICATION_DELIVERY, UPDATE_MY_NOTIFICATIONS } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import type * as Generated from '../api/generated/graphql.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { age, timestamp } from '../output/format.js';
import { fields, table, text, toned, type Block, type Cell } from '../output/view.js';
import { listFooter } from './listing.js';

export type NotificationPreferences = Generated.NotificationPreferencesFieldsFragment;
export type NotificationDelivery = Generated.NotificationDeliveryFieldsFragment;

export interface SetNotificationsOptions {
  readonly emailAssigned?: boolean;
  readonly emailEscalated?: boolean;
  readonly emailAboutToExpire?: boolean;
  readonly digest?: boolean;
  readonly digestHour?: number;
}

/**
 * Shows which mails the approver gets; with any option, changes those first (the rest stay
 * as they are). Only approvers have notification preferences.
 */
export async function myNotifications(ctx: CommandContext, options: SetNotificationsOptions): Promise<NotificationPreferences> {
  const api = await ctx.api();
  const input = {
    emailAssigned: options.emailAssigned,
    emailEscalated: options.emailEscalated,
    emailAboutToExpire: options.emailAboutToExpire,
    emailDigest: options.digest,
    digestHourUtc: options.digestHour,
  };
  if (Object.values(input).some((v) => v !== undefined)) return (await api.request(UPDATE_MY_NOTIFICATIONS, { input })).updateMyNotifications;
  const { me } = await api.request(MY_NOTIFICATIONS, {});
  const prefs = me.approver?.notificationPreferences;
  if (!prefs) throw CliError.usage(`Notification preferences are an approver's; you are signed in as ${me.kind.toLowerCase()} "${me.name}".`);
  return prefs;
}

const onOff = (value: boolean): Cell => (value ? 'on' : toned('off', 'muted'));

export const notificationsPresenter: Presenter<NotificationPreferences> = {
  view: (p) => {
    const blocks: Block[] = [
      fields([
        ['Email to', p.email ?? toned('(no address: ask an admin to set one)', 'warn')],
        ['Assigned', onOff(p.emailAssigned)],
        ['Escalated', onOff(p.emailEscalated)],
        ['About to expire', onOff(p.emailAboutToExpire)],
        ['Daily digest', p.emailDigest ? `on, at ${String(p.digestHourUtc).padStart(2, '0')}:00 UTC` : onOff(false)],
      ]),
    ];
    if (!p.emailEnabled) blocks.push(text('This server sends no mail (COUNTERSIGN_SMTP_URL is not set): these settings take effect once it does.', 'warn'));
    return blocks;
  },
};

export interface ListDeliveriesOptions {
  readonly channel?: 'WEBHOOK' | 'EMAIL' | 'SLACK';
  readonly status?: 'PENDING' | 'DELIVERED' | 'FAILED';
  readonly event?: string;
  /** Only mails that bounced after they were sent. */
  readonly bounced?: boolean;
  readonly limit: number;
}

/** The delivery log of every channel, newest first (admins): what failed, and why. */
export async function listDeliveries(ctx: CommandContext, options: ListDeliveriesOptions): Promise<Listing<NotificationDelivery>> {
  const api = await ctx.api();
  const filter = { channel: options.channel, status: options.status, event: options.event?.toUpperCase(), bounced: options.bounced ? true : undefined };
  return collect(api, NOTIFICATION_DELIVERIES, { filter }, (d) => d.notificationDeliveries, options.limit);
}

/** Sends a FAILED delivery again, with a fresh round of attempts (admins). */
export async function retryDelivery(ctx: CommandContext, id: string): Promise<NotificationDelivery> {
  const api = await ctx.api();
  return (await api.request(RETRY_NOTIFICATION_DELIVERY, { id })).retryNotificationDelivery;
}

function deliveryStatus(d: NotificationDelivery): Cell {
  switch (d.status) {
    case 'DELIVERED':
      return toned('delivered', 'good');
    case 'FAILED':
      return toned(d.bouncedAt ? 'bounced' : 'failed', 'bad');
    default:
      return toned(d.attempts > 0 ? 'retrying' : 'pending', 'warn');
  }
}

/** Whom it went to: the approver, the webhook's host, or — a Slack update — every message about the request. */
const target = (d: NotificationDelivery): string => d.recipient?.name ?? (d.webhook ? new URL(d.webhook.url).host : d.channel === 'SLACK' ? 'its messages' : '');

export const deliveriesPresenter: Presenter<Listing<NotificationDelivery>> = {
  view: (r, now) => [
    table(
      ['ID', 'Channel', 'Event', 'To', 'Status', 'Tries', { header: 'Last error', flex: true }, 'Age'],
      r.nodes.map((d) => [d.id, d.channel.toLowerCase(), d.event, target(d), deliveryStatus(d), String(d.attempts), d.lastError ?? '', age(d.createdAt, now)]),
      'No notifications sent yet.',
    ),
    ...listFooter(r, 'deliveries'),
  ],
};

export const deliveryPresenter: Presenter<NotificationDelivery> = {
  view: (d) => [
    fields([
      ['ID', d.id],
      ['Channel', d.channel.toLowerCase()],
      ['Event', d.event],
      ['To', target(d)],
      ['Status', deliveryStatus(d)],
      ['Bounced', d.bouncedAt ? timestamp(d.bouncedAt) : undefined],
      ['Last error', d.lastError ?? undefined],
      ['Next attempt', d.nextAttemptAt ? timestamp(d.nextAttemptAt) : undefined],
    ]),
  ],
};
