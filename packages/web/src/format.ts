/** Plain formatting helpers shared by the pages (no React). */

export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export const riskLabel: Record<RiskLevel, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', CRITICAL: 'Critical' };

/** "in 4 min", "in 2 h 5 min", "3 min overdue": a deadline read at a glance. */
export function countdown(deadline: string | null | undefined, now: number): string {
  if (!deadline) return 'No deadline';
  const ms = new Date(deadline).getTime() - now;
  const text = duration(Math.abs(ms));
  return ms >= 0 ? `in ${text}` : `${text} overdue`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return duration(value * 1000);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}

export function money(amount: { value: number; currency: string } | null | undefined): string | null {
  if (!amount) return null;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: amount.currency }).format(amount.value);
  } catch {
    return `${amount.value} ${amount.currency}`;
  }
}

/** "Approved", "Changes requested": enum values as people read them. */
export function words(value: string | null | undefined): string {
  if (!value) return '';
  const lower = value.replace(/_/g, ' ').toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Parses JSON typed by a person: the value, or the parser's complaint. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** A JSON value as indented text with keys in a stable order, so diffs line up. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}


/** "25,000.00 USD": an amount with its currency code (a grant's ceiling leaves no "$" ambiguity). */
export function amountWithCode(amount: { value: number; currency: string }): string {
  return `${new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount.value)} ${amount.currency}`;
}

/** "17:30 today", "09:00 tomorrow", "6 Dec 2026, 09:00": when something ends, as read from now. */
export function until(iso: string | Date | number, now: number): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(at) - day(new Date(now))) / 86_400_000);
  if (days === 0) return `${time} today`;
  if (days === 1) return `${time} tomorrow`;
  return `${at.toLocaleDateString(undefined, { dateStyle: 'medium' })}, ${time}`;
}

/** "8 hours", "30 minutes": a grant's lifetime in words. */
export function ttlLabel(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** A lifetime as `decide`'s grant.ttl takes it: `8h`, `30m`, `90s`. */
export function ttlValue(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const TTL_CHOICES = [3600, 4 * 3600, 8 * 3600, 24 * 3600];

/** The lifetimes to offer: 1h/4h/8h/24h within the policy's maxTtl, and the maxTtl itself. */
export function ttlChoices(maxTtl: number | null | undefined): number[] {
  if (!maxTtl) return TTL_CHOICES;
  const within = TTL_CHOICES.filter((s) => s <= maxTtl);
  return within.includes(maxTtl) ? within : [...within, maxTtl];
}

/** What a grant lets through, as people read it. */
export interface GrantScope {
  agent: string;
  actionType: string;
  /** null: any number until it ends. */
  maxUses: number | null;
  maxAmount: { value: number; currency: string } | null;
  /** Whether the request or the grant has an amount at all ("of any amount" only then). */
  amounts: boolean;
  sameDestination: boolean;
  destination: { system?: string | null; external: boolean } | null;
  sameArguments: boolean;
  when?: string | null;
}

function destinationText(d: { system?: string | null; external: boolean }): string {
  return `${d.system ?? 'an unnamed system'} (${d.external ? 'outside the organisation' : 'internal'})`;
}

/**
 * "payments-bot's next 5 payments.transfer requests up to 25,000.00 USD to the same
 * destination": the requests a grant covers, every limit of its scope in words. `offer`:
 * said of a grant about to be made from a request ("the same destination", "these very
 * arguments"), else of one that exists ("to swift (internal)").
 */
export function grantScopeText(s: GrantScope, offer: boolean): string {
  const type = s.actionType;
  const whose = `${s.agent}'s`;
  let text = s.maxUses === null ? `any of ${whose} ${type} requests` : s.maxUses === 1 ? `${whose} next ${type} request` : `${whose} next ${s.maxUses} ${type} requests`;
  if (s.maxAmount) text += ` up to ${amountWithCode(s.maxAmount)}`;
  else if (s.amounts) text += ' of any amount';
  if (s.sameDestination) {
    if (offer) text += s.destination ? ` to the same destination (${s.destination.system ?? 'an unnamed system'}, ${s.destination.external ? 'outside the organisation' : 'internal'})` : ' with no destination';
    else text += s.destination ? ` to ${destinationText(s.destination)}` : ' with no destination';
  }
  if (s.sameArguments) text += offer ? ' with these very arguments' : ' with the very arguments first approved';
  if (s.when) text += ` where ${s.when} holds`;
  return text;
}

/** A delivery as the delivery log names it (admin/Deliveries.tsx). */
export interface DeliveryNaming {
  channel: string;
  event: string;
  recipient: { name: string } | null;
  webhook: { url: string } | null;
}

/** Notification channels in words. */
export const CHANNEL_WORDS = { EMAIL: 'Email', SLACK: 'Slack', WEBHOOK: 'Webhook' } as const;

/** Whom a delivery went to: the approver, the webhook's host; null for the update of a request's Slack messages. */
export function deliveryTarget(d: DeliveryNaming): string | null {
  if (d.recipient) return d.recipient.name;
  if (!d.webhook) return null;
  try {
    return new URL(d.webhook.url).host;
  } catch {
    return d.webhook.url;
  }
}

/** One line for a delivery: "Email to fiona: Assigned", or "Slack messages updated: Decided". */
export function deliveryTitle(d: DeliveryNaming): string {
  const channel = (CHANNEL_WORDS as Record<string, string>)[d.channel] ?? words(d.channel);
  const to = deliveryTarget(d);
  return to === null ? `${channel} messages updated: ${words(d.event)}` : `${channel} to ${to}: ${words(d.event)}`;
}
