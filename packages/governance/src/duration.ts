const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(\d+)([smhd])?$/;
const HINT = 'use 30s, 15m, 2h or seconds';

/**
 * Reads a duration of the governance document (`30s`, `15m`, `2h`, `1d`, or a number of
 * seconds) as whole seconds, so that stored documents compare and compute simply.
 *
 * @throws {Error} naming the value and the accepted forms, e.g.
 *   `"15 minutes" is not a duration (use 30s, 15m, 2h or seconds)`.
 * @example
 * parseDuration('15m'); // 900
 * parseDuration(90);    // 90
 */
export function parseDuration(value: string | number): number {
  const seconds = typeof value === 'number' ? wholeSeconds(value) : fromText(value.trim());
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (seconds === null) throw new Error(`${shown} is not a duration (${HINT})`);
  if (seconds <= 0) throw new Error(`${shown} is not a duration: it must be longer than zero`);
  return seconds;
}

function wholeSeconds(value: number): number | null {
  return Number.isSafeInteger(value) ? value : null;
}

function fromText(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const [, amount, unit] = match;
  const seconds = Number(amount) * SECONDS_PER_UNIT[(unit ?? 's') as keyof typeof SECONDS_PER_UNIT];
  return Number.isSafeInteger(seconds) ? seconds : null;
}
