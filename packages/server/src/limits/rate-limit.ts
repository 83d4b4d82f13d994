import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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

/**
 * A bucket of `burst` requests refilled at `perSecond`, as windows of rate-limiter-flexible:
 * `burst` requests per `burst / perSecond` seconds (at least one second), so a principal
 * keeps up `perSecond` on average and may spend `burst` at once.
 */
export function windowOf({ perSecond, burst }: RateLimitConfig): { points: number; duration: number } {
  const duration = Math.max(1, Math.ceil(burst / perSecond));
  return { points: Math.max(burst, perSecond * duration), duration };
}

const KEY_PREFIX = 'countersign:rate';

/**
 * In memory per instance; through Redis (one limit shared by every instance) when
 * `redisUrl` is set, with an in-memory limiter taking over while Redis cannot answer.
 */
export function createRateLimiter(config: RateLimitConfig, redisUrl: string | null, logger: Logger): RateLimiter {
  const window = windowOf(config);
  const memory = new RateLimiterMemory({ ...window, keyPrefix: KEY_PREFIX });
  let limiter: RateLimiterAbstract = memory;
  let redis: Redis | null = null;
  if (redisUrl) {
    // No offline queue: while Redis is away a request must not wait for it (the insurance limiter answers).
    redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    let warned = false;
    redis.on('error', (error: unknown) => {
      if (!warned) logger.warn({ err: error }, 'Redis is unreachable: rate limits are counted per instance until it is back');
      warned = true;
    });
    redis.on('ready', () => (warned = false));
    limiter = new RateLimiterRedis({
      storeClient: redis,
      ...window,
      keyPrefix: KEY_PREFIX,
      insuranceLimiter: memory,
      // A key over its limit is refused from memory until its window ends: a flood costs no Redis round trips.
      inMemoryBlockOnConsumed: window.points + 1,
    });
  }
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
