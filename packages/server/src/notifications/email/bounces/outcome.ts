import { nextAttemptDelay } from '../../retry.js';
import type { Bounce } from './dsn.js';

/** The delivery as it stands when a bounce about it is read. */
export interface BouncedDelivery {
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  /** The approver's address now (null: none any more). */
  email: string | null;
}

/** What a bounce changes in the delivery log; null: nothing. */
export interface BounceChange {
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  lastError: string;
  lastStatusCode: number | null;
  /** When to send again (a transient bounce with attempts left). */
  nextAttemptAt: Date | null;
  /** Whether the delivery now counts as bounced (a failure, not a delay). */
  bounced: boolean;
}

export interface RetrySettings {
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
}

/** How the delivery log words a bounce. */
export function describeBounce(bounce: Bounce): string {
  const words = [bounce.status, bounce.diagnostic].filter((w): w is string => !!w).join(' ');
  const what = bounce.kind === 'DELAYED' ? 'delayed by a mail server on the way (still being retried there)'
    : bounce.kind === 'TRANSIENT' ? 'bounced after it was sent (temporary failure)'
      : 'bounced after it was sent';
  return `${what}${bounce.recipient ? ` for ${bounce.recipient}` : ''}${words ? `: ${words}` : ''}`;
}

/**
 * What a bounce does to the mail it is about, like a failure at send time would:
 * - a permanent bounce fails the delivery (an admin sees why, fixes the address, retries);
 * - a temporary one sends it again after the webhooks' backoff, while attempts are left,
 *   then fails it;
 * - a delay is noted on a delivered mail and changes nothing else.
 * A bounce for an address the approver no longer has is about an earlier attempt (the
 * address was fixed and the mail retried): it does not fail the new one. A bounce about a
 * delivery already failed, or being sent again, only notes its words.
 */
export function bounceOutcome(delivery: BouncedDelivery, bounce: Bounce, settings: RetrySettings, now: Date, random?: () => number): BounceChange | null {
  const lastError = describeBounce(bounce);
  const unchanged = (status: BouncedDelivery['status']): BounceChange => ({ status, lastError, lastStatusCode: bounce.smtpCode, nextAttemptAt: null, bounced: false });
  const stale = bounce.recipient !== null && delivery.email !== null && bounce.recipient !== delivery.email.toLowerCase();
  if (stale) return null;
  if (delivery.status !== 'DELIVERED') return unchanged(delivery.status);
  switch (bounce.kind) {
    case 'DELAYED':
      return unchanged('DELIVERED');
    case 'PERMANENT':
      return { status: 'FAILED', lastError, lastStatusCode: bounce.smtpCode, nextAttemptAt: null, bounced: true };
    case 'TRANSIENT': {
      if (delivery.attempts >= settings.maxAttempts) return { status: 'FAILED', lastError, lastStatusCode: bounce.smtpCode, nextAttemptAt: null, bounced: true };
      const delay = nextAttemptDelay(delivery.attempts, { baseMs: settings.backoffMs, maxMs: settings.backoffMaxMs, random });
      return { status: 'PENDING', lastError, lastStatusCode: bounce.smtpCode, nextAttemptAt: new Date(now.getTime() + delay), bounced: true };
    }
  }
}
