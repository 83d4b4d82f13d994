import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry.js';

describe('the retry policy', () => {
  it('defaults to 5 attempts, 200 ms doubling up to 10 s', () => {
    expect(resolveRetryPolicy(undefined)).toEqual({ attempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 });
  });

  it('takes durations as strings or milliseconds, and `false` as a single attempt', () => {
    expect(resolveRetryPolicy({ initialDelay: '1s', maxDelay: '1m', attempts: 3 })).toEqual({ attempts: 3, initialDelayMs: 1_000, maxDelayMs: 60_000, factor: 2 });
    expect(resolveRetryPolicy(false).attempts).toBe(1);
  });

  it.each([{ attempts: 0 }, { attempts: 1.5 }, { factor: 0.5 }, { initialDelay: '5s', maxDelay: '1s' }, { maxDelay: 'soon' as never }])('refuses %j', (policy) => {
    expect(() => resolveRetryPolicy(policy)).toThrow(RangeError);
  });

  it('backs off exponentially and caps at maxDelay (upper bound of each step)', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((retry) => backoffDelay(DEFAULT_RETRY_POLICY, retry, top))).toEqual([200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
  });

  it('draws each delay between half and all of its step, so a fleet does not reconnect in lock step', () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(400);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(600);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(DEFAULT_RETRY_POLICY, 4);
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_600);
    }
  });
});
