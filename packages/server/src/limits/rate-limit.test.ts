import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PrincipalKind } from '../shared/enums.js';
import { RESERVE_WINDOW_SECONDS, createRateLimiter, rateLimitKey, rateLimitedError, windowsOf } from './rate-limit.js';

describe('windowsOf', () => {
  it('spends the rate each second and the rest of the burst from a reserve', () => {
    expect(windowsOf({ perSecond: 50, burst: 200 })).toEqual({ steady: { points: 50, duration: 1 }, reserve: { points: 150, duration: RESERVE_WINDOW_SECONDS } });
  });

  it('has no reserve when the burst is not above the rate', () => {
    expect(windowsOf({ perSecond: 100, burst: 100 }).reserve).toBeNull();
    expect(windowsOf({ perSecond: 100, burst: 10 }).reserve).toBeNull();
  });
});

describe('rateLimitKey', () => {
  it('keys principals by kind and id, the bootstrap admin by name, and anonymous callers by address', () => {
    expect(rateLimitKey({ kind: PrincipalKind.AGENT, id: 'a1', name: 'bot' }, '10.0.0.1')).toBe('AGENT:a1');
    expect(rateLimitKey({ kind: PrincipalKind.ADMIN, id: null, name: 'bootstrap' }, '10.0.0.1')).toBe('ADMIN:bootstrap');
    expect(rateLimitKey(null, '10.0.0.1')).toBe('ip:10.0.0.1');
  });
});

describe('createRateLimiter (in memory)', () => {
  it('admits the burst, then refuses with a wait of at least a second, key by key', async () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 5 }, null, pino({ level: 'silent' }));
    const decisions = [];
    for (let i = 0; i < 20; i++) decisions.push(await limiter.consume('AGENT:flooder'));
    expect(decisions.slice(0, 5).every((d) => d.ok)).toBe(true);
    const refused = decisions.filter((d) => !d.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const d of refused) if (!d.ok) expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await limiter.consume('AGENT:neighbour')).toEqual({ ok: true });
    await limiter.close();
  });

  it('refuses with RATE_LIMITED and retryAfter', () => {
    expect(rateLimitedError(3).extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 3 });
  });
});
