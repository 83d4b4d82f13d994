import { describe, expect, it } from 'vitest';
import type { Bounce } from './dsn.js';
import { bounceOutcome, describeBounce } from './outcome.js';

const settings = { maxAttempts: 3, backoffMs: 1000, backoffMaxMs: 8000 };
const now = new Date('2026-12-05T08:00:00Z');
const bounce = (kind: Bounce['kind'], extra: Partial<Bounce> = {}): Bounce => ({
  deliveryId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427', kind, status: kind === 'PERMANENT' ? '5.1.1' : '4.2.2',
  diagnostic: kind === 'PERMANENT' ? '550 5.1.1 User unknown' : '452 4.2.2 Mailbox full', smtpCode: kind === 'PERMANENT' ? 550 : 452,
  recipient: 'fiona@example.com', reportKey: 'k', ...extra,
});
const delivered = { status: 'DELIVERED' as const, attempts: 1, email: 'Fiona@example.com' };

describe('what a bounce does to its delivery', () => {
  it('fails a delivered mail on a permanent bounce, with the server\'s words and code', () => {
    expect(bounceOutcome(delivered, bounce('PERMANENT'), settings, now)).toEqual({
      status: 'FAILED', lastError: 'bounced after it was sent for fiona@example.com: 5.1.1 550 5.1.1 User unknown', lastStatusCode: 550, nextAttemptAt: null, bounced: true,
    });
  });

  it('sends it again after the backoff on a temporary bounce while attempts are left, then fails it', () => {
    const again = bounceOutcome(delivered, bounce('TRANSIENT'), settings, now, () => 0)!;
    expect(again).toMatchObject({ status: 'PENDING', bounced: true, lastStatusCode: 452 });
    expect(again.nextAttemptAt!.getTime() - now.getTime()).toBe(500);
    expect(bounceOutcome({ ...delivered, attempts: 3 }, bounce('TRANSIENT'), settings, now)).toMatchObject({ status: 'FAILED', bounced: true });
  });

  it('only notes a delay', () => {
    expect(bounceOutcome(delivered, bounce('DELAYED', { status: '4.4.7', diagnostic: null, smtpCode: null }), settings, now)).toEqual({
      status: 'DELIVERED', lastError: 'delayed by a mail server on the way (still being retried there) for fiona@example.com: 4.4.7', lastStatusCode: null, nextAttemptAt: null, bounced: false,
    });
  });

  it('leaves a delivery that is failed already or being sent again as it is, noting the words', () => {
    expect(bounceOutcome({ ...delivered, status: 'FAILED' }, bounce('PERMANENT'), settings, now)).toMatchObject({ status: 'FAILED', bounced: false });
    expect(bounceOutcome({ ...delivered, status: 'PENDING' }, bounce('TRANSIENT'), settings, now)).toMatchObject({ status: 'PENDING', bounced: false, nextAttemptAt: null });
  });

  it('ignores a bounce for an address the approver no longer has (the mail was retried to the new one)', () => {
    expect(bounceOutcome({ ...delivered, email: 'fiona.new@example.com' }, bounce('PERMANENT'), settings, now)).toBeNull();
    // Without a recipient in the report, it counts.
    expect(bounceOutcome({ ...delivered, email: 'fiona.new@example.com' }, bounce('PERMANENT', { recipient: null }), settings, now)).toMatchObject({ status: 'FAILED' });
  });

  it('words a bounce without a status or diagnostic plainly', () => {
    expect(describeBounce(bounce('PERMANENT', { status: null, diagnostic: null, recipient: null }))).toBe('bounced after it was sent');
  });
});
