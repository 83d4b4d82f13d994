import { parseDuration } from '@countersign/governance';
import { AppError } from '../errors.js';

/** The period metrics cover and how it is cut for plotting. */
export interface MetricsRange {
  /** As asked, e.g. `24h`. */
  window: string;
  /** As asked or chosen, e.g. `30m`. */
  bucket: string;
  since: Date;
  until: Date;
  bucketSeconds: number;
  /** Index of the first and last bucket: bucket `i` covers [i·bucketSeconds, (i+1)·bucketSeconds) since the epoch. */
  firstBucket: number;
  lastBucket: number;
}

export const DEFAULT_WINDOW = '24h';
/** Long enough for a quarter's review; longer periods belong in a warehouse fed by the audit export. */
export const MAX_WINDOW_SECONDS = 366 * 86_400;
/** Enough points for any plot; more would only cost the database. */
export const MAX_BUCKETS = 1000;
/** A default bucket gives at most this many points. */
const TARGET_POINTS = 60;
/** Bucket sizes a default is chosen from: each a divisor of the next day, week or month boundary people read plots by. */
const NICE_BUCKETS = ['1m', '5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '7d'];

/**
 * Reads `metrics(window, bucket, until)`: the window ends at `until` (now by default) and
 * buckets are aligned to multiples of their size since the epoch (UTC), so two calls with
 * the same bucket plot on the same grid; the first and last bucket may be partial.
 * Without a bucket, the smallest "nice" size that gives at most 60 points is chosen.
 *
 * @throws {AppError} BAD_USER_INPUT naming the argument at fault.
 * @example
 * resolveRange({ window: '7d' }, new Date()); // bucket '3h', 56 points
 */
export function resolveRange(args: { window?: string | null; bucket?: string | null; until?: Date | null }, now: Date): MetricsRange {
  const window = (args.window ?? DEFAULT_WINDOW).trim();
  const windowSeconds = duration(window, 'window');
  if (windowSeconds > MAX_WINDOW_SECONDS) throw AppError.badInput(`window ${window} is longer than the ${MAX_WINDOW_SECONDS / 86_400} days metrics cover.`, 'window');

  const bucket = (args.bucket ?? defaultBucket(windowSeconds)).trim();
  const bucketSeconds = duration(bucket, 'bucket');
  if (bucketSeconds > windowSeconds) throw AppError.badInput(`bucket ${bucket} is longer than the window ${window}.`, 'bucket');

  const until = args.until ?? now;
  if (Number.isNaN(until.getTime())) throw AppError.badInput('until is not a valid time.', 'until');
  const since = new Date(until.getTime() - windowSeconds * 1000);
  const firstBucket = Math.floor(since.getTime() / 1000 / bucketSeconds);
  // The window is [since, until): its last instant is just before until.
  const lastBucket = Math.floor((until.getTime() - 1) / 1000 / bucketSeconds);
  if (lastBucket - firstBucket + 1 > MAX_BUCKETS) {
    throw AppError.badInput(`window ${window} in buckets of ${bucket} makes more than ${MAX_BUCKETS} points; use a larger bucket.`, 'bucket');
  }
  return { window, bucket, since, until, bucketSeconds, firstBucket, lastBucket };
}

/** The start of each bucket of the range, in order. */
export function bucketStarts(range: MetricsRange): Date[] {
  const starts: Date[] = [];
  for (let i = range.firstBucket; i <= range.lastBucket; i++) starts.push(new Date(i * range.bucketSeconds * 1000));
  return starts;
}

function defaultBucket(windowSeconds: number): string {
  return NICE_BUCKETS.find((b) => windowSeconds / parseDuration(b) <= TARGET_POINTS) ?? NICE_BUCKETS.at(-1)!;
}

function duration(text: string, field: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw AppError.badInput(`${field} ${JSON.stringify(text)} is not a duration: use a positive number of seconds, minutes, hours or days, such as 30m, 24h or 7d.`, field);
  }
}
