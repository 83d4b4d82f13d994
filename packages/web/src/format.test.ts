import { describe, expect, it } from 'vitest';
import { countdown, deliveryTitle, grantScopeText, parseJson, prettyJson, ttlChoices, ttlValue, until, words } from './format.js';

describe('formatting for approvers', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  it('reads a deadline as a countdown, and says when it has passed', () => {
    expect(countdown('2026-12-04T12:04:30Z', now)).toBe('in 4 min 30 s');
    expect(countdown('2026-12-04T14:05:00Z', now)).toBe('in 2 h 5 min');
    expect(countdown('2026-12-04T11:57:00Z', now)).toBe('3 min 00 s overdue');
    expect(countdown(null, now)).toBe('No deadline');
  });
  it('says why typed JSON is invalid instead of throwing', () => {
    expect(parseJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('{"a": }')).toMatchObject({ ok: false });
  });
  it('prints JSON with sorted keys so a diff shows only real changes', () => {
    expect(prettyJson({ b: 1, a: { d: 2, c: 3 } })).toBe(prettyJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
  it('names a delivery by channel, whom it went to and its event; a Slack update by the messages it rewrote', () => {
    expect(deliveryTitle({ channel: 'EMAIL', event: 'ASSIGNED', recipient: { name: 'fiona' }, webhook: null })).toBe('Email to fiona: Assigned');
    expect(deliveryTitle({ channel: 'WEBHOOK', event: 'ABOUT_TO_EXPIRE', recipient: null, webhook: { url: 'https://hooks.example.com/cs?k=1' } })).toBe('Webhook to hooks.example.com: About to expire');
    expect(deliveryTitle({ channel: 'SLACK', event: 'DECIDED', recipient: null, webhook: null })).toBe('Slack messages updated: Decided');
  });
  it('turns enum values into words', () => {
    expect(words('CHANGES_REQUESTED')).toBe('Changes requested');
  });

  it('spells out the scope of a grant: how many, up to what, where, with which arguments', () => {
    const scope = { agent: 'payments-bot', actionType: 'payments.transfer', maxUses: 5, maxAmount: { value: 25000, currency: 'USD' }, amounts: true, sameDestination: true, destination: { system: 'swift', external: false }, sameArguments: false };
    expect(grantScopeText(scope, true)).toMatch(/^payments-bot's next 5 payments\.transfer requests up to 25,000\.00 USD to the same destination \(swift, internal\)$/);
    expect(grantScopeText({ ...scope, maxUses: 1, sameArguments: true }, true)).toMatch(/^payments-bot's next payments\.transfer request .* with these very arguments$/);
    expect(grantScopeText({ ...scope, maxUses: null, maxAmount: null, sameDestination: false }, false)).toBe("any of payments-bot's payments.transfer requests of any amount");
    expect(grantScopeText({ ...scope, maxUses: 2, when: 'action.amount.value < 10.0' }, false)).toMatch(/to swift \(internal\) where action\.amount\.value < 10\.0 holds$/);
  });
  it('offers grant lifetimes within the policy\'s maxTtl, and names when one ends', () => {
    expect(ttlChoices(null)).toEqual([3600, 14400, 28800, 86400]);
    expect(ttlChoices(7200)).toEqual([3600, 7200]);
    expect(ttlChoices(1800)).toEqual([1800]);
    expect([ttlValue(28800), ttlValue(1800), ttlValue(90)]).toEqual(['8h', '30m', '90s']);
    const noon = new Date(2026, 11, 4, 12, 0).getTime();
    expect(until(new Date(2026, 11, 4, 17, 30), noon)).toMatch(/today$/);
    expect(until(new Date(2026, 11, 5, 9, 0), noon)).toMatch(/tomorrow$/);
  });
});
