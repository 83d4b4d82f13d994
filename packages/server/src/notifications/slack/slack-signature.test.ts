import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from './slack-signature.js';

describe('Slack request signatures', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = Buffer.from('token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c');
  const timestamp = '1531420618';
  const now = Number(timestamp) * 1000;

  it("matches Slack's documented example", () => {
    // The example of https://api.slack.com/authentication/verifying-requests-from-slack.
    expect(slackSignature(secret, timestamp, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    expect(verifySlackSignature(secret, { timestamp, signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' }, body, now)).toEqual({ ok: true });
  });

  it('refuses another secret, another body, a truncated or missing signature', () => {
    const signature = slackSignature(secret, timestamp, body);
    expect(verifySlackSignature('another-secret', { timestamp, signature }, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature(secret, { timestamp, signature }, Buffer.concat([body, Buffer.from('x')]), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature(secret, { timestamp, signature: signature.slice(0, -2) }, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature(secret, { timestamp, signature: undefined }, body, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature(secret, { timestamp: 'soon', signature }, body, now)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a timestamp more than five minutes away, either way', () => {
    const signature = slackSignature(secret, timestamp, body);
    expect(verifySlackSignature(secret, { timestamp, signature }, body, now + 299_000)).toEqual({ ok: true });
    expect(verifySlackSignature(secret, { timestamp, signature }, body, now + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackSignature(secret, { timestamp, signature }, body, now - 301_000)).toEqual({ ok: false, reason: 'stale' });
  });
});
