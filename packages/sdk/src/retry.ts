import { toMilliseconds, type Duration } from './duration.js';

/**
 * How the client retries a call that failed for a reason that may pass (the network, a
 * restarting server, `UNAVAILABLE`, `RATE_LIMITED`), and how fast it reconnects the
 * WebSocket a wait listens on.
 *
 * Delays grow exponentially from `initialDelay` by `factor` up to `maxDelay`; each is
 * drawn at random between half and all of that step, so a fleet of agents cut off by the
 * same server restart does not come back in lock step.
 *
 * @example
 * ```ts
 * const cs = createClient({ url, apiKey, retry: { attempts: 8, maxDelay: '30s' } });
 * ```
 */
export interface RetryPolicy {
  /**
   * Attempts in all for one HTTP call, the first included. Waits never give up on the
   * WebSocket: they reconnect until the decision arrives, the timeout passes or the
   * signal aborts.
   * @default 5
   */
  attempts: number;
  /** @default 200 */
  initialDelay: Duration;
  /** @default '10s' */
  maxDelay: Duration;
  /** @default 2 */
  factor: number;
}

/** A {@link RetryPolicy} with its durations in milliseconds. */
export interface ResolvedRetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 };

/** Fills in defaults and validates; `false` means a single attempt. */
export function resolveRetryPolicy(retry: Partial<RetryPolicy> | false | undefined): ResolvedRetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY_POLICY, attempts: 1 };
  const {
    attempts = DEFAULT_RETRY_POLICY.attempts,
    initialDelay = DEFAULT_RETRY_POLICY.initialDelayMs,
    maxDelay = DEFAULT_RETRY_POLICY.maxDelayMs,
    factor = DEFAULT_RETRY_POLICY.factor,
  } = retry ?? {};
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError(`retry.attempts must be a whole number ≥ 1, got ${attempts}`);
  if (!Number.isFinite(factor) || factor < 1) throw new RangeError(`retry.factor must be ≥ 1, got ${factor}`);
  const initialDelayMs = toMilliseconds(initialDelay, 'retry.initialDelay');
  const maxDelayMs = toMilliseconds(maxDelay, 'retry.maxDelay');
  if (maxDelayMs < initialDelayMs) throw new RangeError('retry.maxDelay must be at least retry.initialDelay');
  return { attempts, initialDelayMs, maxDelayMs, factor };
}

/**
 * The delay before retry number `retry` (1 for the first retry): the exponential step,
 * capped at `maxDelayMs`, scaled by a random factor in [0.5, 1].
 */
export function backoffDelay(policy: ResolvedRetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, retry - 1));
  return Math.round(step * (0.5 + random() / 2));
}
