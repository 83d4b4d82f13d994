/**
 * Delay before the attempt after attempt number `attempt` (1-based): exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" — half the delay fixed, half random — so
 * retries from many deliveries to one receiver that came back up spread out instead of
 * arriving in lockstep, while each delay still grows.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** A `Retry-After` header (seconds or an HTTP date) in milliseconds from `now`, or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * When to try again: the backoff, or later when the receiver asked for it with Retry-After
 * (never beyond `maxMs`, so a misconfigured receiver cannot park a delivery for days).
 */
export function nextAttemptDelay(attempt: number, options: { baseMs: number; maxMs: number; retryAfter?: number | null; random?: () => number }): number {
  const backoff = backoffDelay(attempt, options.baseMs, options.maxMs, options.random);
  return Math.min(options.maxMs, Math.max(backoff, options.retryAfter ?? 0));
}
