import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, sign, verify } from './signature.js';
import { backoffDelay, nextAttemptDelay, retryAfterMs } from './retry.js';

describe('webhook signatures', () => {
  const secret = generateSecret();
  const body = '{"event":"ASSIGNED"}';

  it('signs "<timestamp>.<body>" with HMAC-SHA256 keyed by the secret as given', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(sign(secret, 1700000000, body)).toBe(`v1=${expected}`);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });

  it('accepts a fresh, intact request and rejects a changed body, another secret or an old timestamp (replay)', () => {
    const now = 1700000000;
    const headers = { signature: sign(secret, now, body), timestamp: String(now) };
    expect(verify(secret, headers, body, { now })).toBe(true);
    expect(verify(secret, headers, body.replace('ASSIGNED', 'DECIDED'), { now })).toBe(false);
    expect(verify(generateSecret(), headers, body, { now })).toBe(false);
    expect(verify(secret, headers, body, { now: now + 301 })).toBe(false);
    expect(verify(secret, { signature: headers.signature, timestamp: String(now + 1) }, body, { now })).toBe(false);
    expect(verify(secret, { signature: undefined, timestamp: String(now) }, body, { now })).toBe(false);
  });
});

describe('retry timing', () => {
  it('doubles from the base up to the cap, jittered within the upper half', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 5000, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 5000, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffDelay(1000, 1000, 5000, () => 1)).toBe(5000);
  });

  it('waits longer when the receiver asks with Retry-After, but never beyond the cap', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(nextAttemptDelay(1, { baseMs: 100, maxMs: 60_000, retryAfter: 7000, random: () => 0 })).toBe(7000);
    expect(nextAttemptDelay(1, { baseMs: 100, maxMs: 5000, retryAfter: 7000, random: () => 0 })).toBe(5000);
  });
});
