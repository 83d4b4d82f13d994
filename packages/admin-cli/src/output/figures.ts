/**
 * Numbers as people read them in oversight views (`show`, `metrics`, `simulate`): counts
 * with grouped digits, rates as percentages, durations in seconds as `4m12s`, a series as
 * a one-line sparkline, and JSON values in one short line.
 */
import { formatDuration } from '../util/time.js';

/** `12,345`. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `97%` (one decimal under 10%, so 0.4% does not read as 0%); empty for null. */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '';
  const p = rate * 100;
  return `${p > 0 && p < 10 && !Number.isInteger(p) ? p.toFixed(1) : Math.round(p)}%`;
}

/** Seconds as `45s`, `4m12s`, `2h30m`; under a second as `0.4s`; empty for null. */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (value < 1) return `${Math.round(value * 10) / 10}s`;
  return formatDuration(Math.round(value) * 1_000);
}

/** `3 WORDS like this` → `3 words like this`: enum names in running text. */
export function words(value: string): string {
  return value.toLowerCase().replaceAll('_', ' ');
}

const BARS = '▁▂▃▄▅▆▇█';

/** A series as `▁▁▃▅█▇`, scaled to its own maximum; nulls are spaces. Empty for no points. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return '';
  const max = Math.max(...present);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (max <= 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))];
    })
    .join('');
}

/** A JSON value in one line, for tables: strings bare, the rest as compact JSON, cut to `max`. */
export function inline(value: unknown, max = 60): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const RATE_KEY = /(rate|share)$/i;
const SECONDS_KEY = /seconds|latency/i;
const ID_KEY = /id$/i;

/**
 * The evidence behind an alert as `name value` pairs people can read: rates as
 * percentages, durations as durations, identifiers left out (the names are there),
 * nested numbers flattened one level, longer structures as compact JSON. The evidence is
 * the schema's free `JSON`: anything but an object reads as no evidence.
 */
export function evidencePairs(evidence: unknown): string[] {
  if (!evidence || typeof evidence !== 'object') return [];
  const pairs: string[] = [];
  const one = (key: string, value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') {
      if (RATE_KEY.test(key)) return percent(value);
      if (SECONDS_KEY.test(key)) return seconds(value);
      return Number.isInteger(value) ? count(value) : String(Math.round(value * 100) / 100);
    }
    if (typeof value === 'string' || typeof value === 'boolean') return String(value);
    return null;
  };
  for (const [key, value] of Object.entries(evidence)) {
    if (ID_KEY.test(key) && key !== 'id') continue;
    const simple = one(key, value);
    if (simple !== null) {
      pairs.push(`${key} ${simple}`);
      continue;
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      // e.g. decisionLatency { p50, p90 }: decisionLatency.p50 4m
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) {
        const rendered = one(SECONDS_KEY.test(key) ? 'seconds' : inner, v);
        if (rendered !== null) pairs.push(`${key}.${inner} ${rendered}`);
      }
      continue;
    }
    if (value !== null && value !== undefined) pairs.push(`${key} ${inline(value, 160)}`);
  }
  return pairs;
}
