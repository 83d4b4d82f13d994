import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './mailer.js';

describe('SMTP failures', () => {
  it('gives up on a 5xx reply (a bounce at send time) and retries a 4xx', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such mailbox' })).toEqual({ ok: false, permanent: true, code: 550, error: 'SMTP 550 5.1.1 No such mailbox' });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 421, response: '421 Busy' })).toMatchObject({ permanent: false, code: 421 });
  });

  it('retries a connection that failed, and never shows the SMTP URL (it may hold a password)', () => {
    const outcome = classifySmtpError(Object.assign(new Error('Connection to smtp://user:hunter2@mail.example.com failed'), { code: 'ESOCKET' }));
    expect(outcome).toMatchObject({ permanent: false, code: null });
    expect(outcome.error).toBe('SMTP connection failed: ESOCKET (Connection to <smtp url> failed)');
    expect(outcome.error).not.toContain('hunter2');
  });
});
