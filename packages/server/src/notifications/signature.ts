import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Headers every webhook request carries (lower case, as Node exposes them). */
export const Headers = {
  /** The delivery's id: the same on every retry, so receivers can drop duplicates. */
  DELIVERY: 'countersign-delivery',
  /** The same id under the IETF draft's generic name, for middleware that dedupes on it. */
  IDEMPOTENCY_KEY: 'idempotency-key',
  EVENT: 'countersign-event',
  /** Unix time in seconds when this attempt was signed. */
  TIMESTAMP: 'countersign-timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
  SIGNATURE: 'countersign-signature',
} as const;

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: shown once at creation, used as the HMAC key as it is (UTF-8). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The signature header value of one attempt. The timestamp is inside the signed text, so a
 * receiver that rejects old timestamps also rejects a captured request replayed later.
 */
export function sign(secret: string, timestamp: number, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * What a receiver does (and what the README shows): recompute the HMAC over the raw body,
 * compare in constant time, and refuse timestamps outside the tolerance.
 */
export function verify(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { toleranceSeconds = 300, now = Math.floor(Date.now() / 1000) } = options;
  if (!headers.signature || !headers.timestamp || !/^\d+$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  // Several signatures may be sent side by side (e.g. during a secret rotation): any may match.
  return headers.signature.split(/[\s,]+/).some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
