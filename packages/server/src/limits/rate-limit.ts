import { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../auth/principal.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** How many requests a principal may make (COUNTERSIGN_RATE_LIMIT, COUNTERSIGN_RATE_LIMIT_BURST). */
export interface RateLimitConfig {
  /** Requests per second a principal may keep up. */
  perSecond: number;
  /** Requests a principal may make at once after a quiet spell. */
  burst: number;
}

/** One request admitted, or refused with how long to wait. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The rate limits of DESIGN §11 behind one small interface: app.ts builds it, the HTTP
 * handler and the WebSocket server ask it once per request or operation; domain code
 * never sees it.
 */
export interface RateLimiter {
  /** Counts one request by `key` ({@link rateLimitKey}) and says whether it may go ahead. */
  consume(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

/** Whom a request counts against: its principal, or for anonymous callers their address. */
export function rateLimitKey(principal: Principal | null, address: string | undefined): string {
  if (principal) return `${principal.kind}:${principal.id ?? principal.name}`;
  return `ip:${address ?? 'unknown'}`;
}

/** The refusal: RATE_LIMITED with `extensions.retryAfter` in seconds. */
export function rateLimitedError(retryAfterSeconds: number): AppError {
  return new AppError(ErrorCode.RATE_LIMITED, `Too many requests: try again in ${retryAfterSeconds} s.`, { retryAfter: retryAfterSeconds });
}

/** Where the counters live (Redis keys `countersign:rate:<window>:<key>`). */
const KEY_PREFIX = 'countersign:rate';

/** How often a principal's burst reserve is refilled, in seconds. */
export const RESERVE_WINDOW_SECONDS = 60;

/**
 * The limit as rate-limiter-flexible windows, close to a token bucket of `burst` refilled
 * at `perSecond`: `perSecond` requests in each second, and once those are spent a reserve
 * of `burst − perSecond` more, refilled every {@link RESERVE_WINDOW_SECONDS}. A principal
 * that floods keeps little more than `perSecond` (one large window would instead hand it
 * `burst` at once in every window, the very spikes that hurt its neighbours); one that has
 * been quiet may spend `burst` at once.
 */
export function windowsOf({ perSecond, burst }: RateLimitConfig): { steady: { points: number; duration: number }; reserve: { points: number; duration: number } | null } {
  const extra = burst - perSecond;
  return { steady: { points: perSecond, duration: 1 }, reserve: extra > 0 ? { points: extra, duration: RESERVE_WINDOW_SECONDS } : null };
}

/**
 * In memory per instance; through Redis (one limit shared by every instance) when
 * `redisUrl` is set, with an in-memory limiter taking over while Redis cannot answer.
 */
export function createRateLimiter(config: RateLimitConfig, redisUrl: string | null, logger: Logger): RateLimiter {
  const { steady, reserve } = windowsOf(config);
  let redis: Redis | null = null;
  if (redisUrl) {
    // No offline queue: while Redis is away a request must not wait for it (the insurance limiter answers).
    redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    let warned = false;
    redis.on('error', (error: unknown) => {
      if (!warned) logger.warn({ err: error }, 'Redis is unreachable: rate limits are counted per instance until it is back');
      warned = true;
    });
    redis.on('ready', () => (warned = false));
  }
  const windowLimiter = (window: { points: number; duration: number }, name: string): RateLimiterAbstract => {
    const keyPrefix = `${KEY_PREFIX}:${name}`;
    const memory = new RateLimiterMemory({ ...window, keyPrefix });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      ...window,
      keyPrefix,
      insuranceLimiter: memory,
      // A key over its limit is refused from memory until its window ends: a flood costs no Redis round trips.
      inMemoryBlockOnConsumed: window.points + 1,
    });
  };
  const limiter: RateLimiterAbstract | BurstyRateLimiter = reserve ? new BurstyRateLimiter(windowLimiter(steady, 'steady'), windowLimiter(reserve, 'reserve')) : windowLimiter(steady, 'steady');
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { ok: true };
      } catch (result) {
        if (result instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
        throw result;
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis!.disconnect());
    },
  };
}
