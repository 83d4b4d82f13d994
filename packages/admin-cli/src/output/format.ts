import { formatDuration } from '../util/time.js';
import { toned, type Cell, type Tone } from './view.js';

/** Timestamps for people: UTC, to the second, so they line up with the audit log. */
export function timestamp(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** kubectl's AGE column: how long ago, in one or two units (`5m`, `2h30m`, `3d`). */
export function age(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  return formatDuration(Math.max(0, now.getTime() - new Date(iso).getTime()));
}

/** `in 12m` / `3m ago`: for deadlines, which may be ahead or behind. */
export function relative(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  const delta = new Date(iso).getTime() - now.getTime();
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** `12,500.00 EUR`: grouped digits, the currency code as the agent sent it. */
export function money(amount: { value: number; currency: string } | null | undefined): string {
  if (!amount) return '';
  const value = amount.value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  return `${value} ${amount.currency}`;
}

/** `a, b, c`, or `empty` for none (tables show blanks; fields can say `(none)`). */
export function list(values: readonly string[] | null | undefined, empty = ''): string {
  return values && values.length > 0 ? values.join(', ') : empty;
}

/** Pretty JSON for payloads and context, as an approver should read them. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

const LEVEL_TONES: Record<string, Tone> = { LOW: 'good', MEDIUM: 'warn', HIGH: 'bad', CRITICAL: 'bad' };
const STATUS_TONES: Record<string, Tone> = {
  PENDING: 'warn',
  APPROVED: 'good',
  DENIED: 'bad',
  CHANGES_REQUESTED: 'warn',
  EXPIRED: 'bad',
  CANCELLED: 'muted',
  ACTIVE: 'good',
  SUSPENDED: 'bad',
  UNREVIEWED: 'warn',
  ACKNOWLEDGED: 'good',
  FLAGGED: 'bad',
  APPROVE: 'good',
  DENY: 'bad',
  REQUEST_CHANGES: 'warn',
  ACKNOWLEDGE: 'good',
  FLAG: 'bad',
  SUCCEEDED: 'good',
  FAILED: 'bad',
};

/** A risk as `72 HIGH`, coloured by level. */
export function risk(value: { score: number; level: string } | null | undefined): Cell {
  if (!value) return '';
  return toned(`${value.score} ${value.level}`, LEVEL_TONES[value.level] ?? 'plain');
}

/** The tone of a status, verdict or level: what it means for the person reading. */
export function statusTone(value: string): Tone {
  return STATUS_TONES[value] ?? LEVEL_TONES[value] ?? 'plain';
}

/** A status, verdict or level, coloured by {@link statusTone}. */
export function status(value: string | null | undefined): Cell {
  return value ? toned(value, statusTone(value)) : '';
}
