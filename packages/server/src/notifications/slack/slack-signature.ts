import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to replay requests older than this, and so do we (DESIGN §14). */
export const MAX_AGE_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** Slack's `v0` signature of a request body: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: string | number, body: Buffer | string): string {
  const mac = createHmac('sha256', signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest('hex')}`;
}

/**
 * Checks `X-Slack-Signature` and `X-Slack-Request-Timestamp` over the raw body as Slack
 * documents (https://api.slack.com/authentication/verifying-requests-from-slack): a
 * timestamp more than five minutes from now, either way, is refused (a replayed request),
 * and the signatures are compared in constant time.
 */
export function verifySlackSignature(
  signingSecret: string,
  headers: { timestamp: string | string[] | undefined; signature: string | string[] | undefined },
  body: Buffer,
  nowMs = Date.now(),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_AGE_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
