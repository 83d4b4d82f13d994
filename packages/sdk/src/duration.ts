/**
 * The units a {@link Duration} string may end in.
 *
 * @example
 * ```ts
 * const unit: DurationUnit = 'm'; // '15m'
 * ```
 */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

/**
 * A span of time: milliseconds as a number (like `setTimeout`), or a string with a unit,
 * such as `'500ms'`, `'30s'`, `'15m'`, `'2h'` or `'1d'`.
 *
 * @example
 * ```ts
 * await cs.requestApproval(input, { timeout: '15m' });
 * await cs.requestApproval(input, { timeout: 90_000 });
 * ```
 */
export type Duration = number | `${number}${DurationUnit}`;

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Converts a {@link Duration} to whole milliseconds.
 *
 * @param what - names the option in the error message, e.g. `'timeout'`.
 * @throws RangeError when the value is negative, not finite, or not in the form above.
 *
 * @example
 * ```ts
 * toMilliseconds('15m'); // 900000
 * toMilliseconds(250);   // 250
 * ```
 */
export function toMilliseconds(duration: Duration, what = 'duration'): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new RangeError(`${what} must be a non-negative number of milliseconds, got ${duration}`);
    }
    return Math.round(duration);
  }
  const match = PATTERN.exec(String(duration).trim());
  if (!match) {
    throw new RangeError(`${what} must be milliseconds or a string such as '30s', '15m' or '2h', got ${JSON.stringify(duration)}`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as DurationUnit]);
}
