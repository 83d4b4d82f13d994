import { CliError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/**
 * Parses a duration the way the governance document writes them (`30s`, `15m`, `2h`), plus
 * days and weeks for look-back windows (`7d`, `2w`) and compounds (`1h30m`). A bare number
 * is seconds, as in the document. Returns milliseconds.
 */
export function parseDuration(text: string): number {
  const value = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value) * 1_000;
  if (!DURATION.test(value)) {
    throw CliError.usage(`"${text}" is not a duration: use e.g. 30s, 15m, 24h, 7d or 2w.`);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as Unit];
  return total;
}

/** True when the text looks like a duration rather than a point in time. */
export function isDuration(text: string): boolean {
  const value = text.trim();
  return /^\d+(?:\.\d+)?$/.test(value) || DURATION.test(value);
}

/**
 * Parses a point in time: an ISO 8601 date or date-time, or the word `now`. Used for
 * `--until`, `--start` and friends, where a shell user writes `2025-07-01` or a full
 * timestamp.
 */
export function parseInstant(text: string, now: Date): Date {
  const value = text.trim();
  if (value === 'now') return now;
  // A bare number is ambiguous (seconds? a year?) and Date would accept it: refuse it.
  const date = /^\d+$/.test(value) ? new Date(Number.NaN) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw CliError.usage(`"${text}" is not a date: use ISO 8601, e.g. 2025-07-01 or 2025-07-01T09:00:00Z.`);
  }
  return date;
}

/**
 * Parses `--since`: a look-back duration (`7d` = seven days before now) or a point in time.
 * The natural reading of "since 7d" for anyone used to `docker logs --since` or
 * `journalctl --since`.
 */
export function parseSince(text: string, now: Date): Date {
  return isDuration(text) ? new Date(now.getTime() - parseDuration(text)) : parseInstant(text, now);
}

/** Parses an end: a point in time, or a duration counted from `start` (`--end 14d`). */
export function parseEnd(text: string, start: Date, now: Date): Date {
  return isDuration(text) ? new Date(start.getTime() + parseDuration(text)) : parseInstant(text, now);
}

/** Renders milliseconds in the largest fitting units, at most two: `15m`, `2h30m`, `3d`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1_000);
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return sign + parts.join('');
}
