import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig: database timeouts and the secret key', () => {
  it('bounds every wait on the database by default', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.databaseTimeouts).toEqual({ statementMs: 5000, acquireMs: 3000, readinessMs: 2000 });
    expect(result.ok && result.config.secretKey).toBeNull();
  });

  it('takes a 32-byte base64 COUNTERSIGN_SECRET_KEY', () => {
    const key = randomBytes(32);
    const result = loadConfig({ COUNTERSIGN_SECRET_KEY: key.toString('base64') });
    expect(result.ok && result.config.secretKey?.equals(key)).toBe(true);
  });

  it('refuses a secret key of the wrong size, and bad timeouts, naming each variable', () => {
    const result = loadConfig({ COUNTERSIGN_SECRET_KEY: randomBytes(16).toString('base64'), DATABASE_STATEMENT_TIMEOUT_MS: 'soon', DATABASE_ACQUIRE_TIMEOUT_MS: '0' });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.join('\n')).toMatch(/COUNTERSIGN_SECRET_KEY/);
    expect(errors.join('\n')).toMatch(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(errors.join('\n')).toMatch(/DATABASE_ACQUIRE_TIMEOUT_MS/);
  });
});

describe('web app configuration', () => {
  it('defaults to 12 h idle, 7 days in all and 10 sessions per person, with no public URL (the server\'s own)', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.sessions).toEqual({ idleSeconds: 43_200, maxAgeSeconds: 604_800, perPrincipal: 10 });
    expect(result.ok && result.config.publicUrl).toBeNull();
  });

  it('keeps the public URL without its trailing slash', () => {
    const result = loadConfig({ COUNTERSIGN_PUBLIC_URL: 'https://cs.example.com/countersign/' });
    expect(result.ok && result.config.publicUrl).toBe('https://cs.example.com/countersign');
  });

  it('refuses a public URL that is not http(s), or carries credentials or a query, naming the variable', () => {
    for (const value of ['cs.example.com', 'ftp://cs.example.com', 'https://user:pw@cs.example.com', 'https://cs.example.com/?x=1']) {
      const result = loadConfig({ COUNTERSIGN_PUBLIC_URL: value });
      expect(result.ok, value).toBe(false);
      expect(!result.ok && result.errors.join('\n')).toContain('COUNTERSIGN_PUBLIC_URL');
    }
  });

  it('refuses session limits that are not whole positive numbers', () => {
    const result = loadConfig({ COUNTERSIGN_SESSION_IDLE_TIMEOUT: '0', COUNTERSIGN_SESSION_MAX_AGE: '1h', COUNTERSIGN_SESSIONS_PER_PRINCIPAL: '-1' });
    expect(!result.ok && result.errors).toHaveLength(3);
  });

  it('sends no mail without COUNTERSIGN_SMTP_URL, and with it needs a From address; the digest at 8 UTC by default', () => {
    const off = loadConfig({});
    expect(off.ok && off.config.email).toBeNull();
    const on = loadConfig({ COUNTERSIGN_SMTP_URL: 'smtps://user:secret@mail.example.com:465', COUNTERSIGN_MAIL_FROM: 'Countersign <cs@example.com>' });
    expect(on.ok && on.config.email).toEqual({ smtpUrl: 'smtps://user:secret@mail.example.com:465', from: 'Countersign <cs@example.com>', digestHourUtc: 8, digestPollMs: 60_000, bounceAddress: null, bounceMailbox: null });
  });

  it('reads bounces from an IMAP mailbox when asked, with VERP senders from a bounce address', () => {
    const mail = { COUNTERSIGN_SMTP_URL: 'smtp://mail.example.com', COUNTERSIGN_MAIL_FROM: 'cs@example.com' };
    const on = loadConfig({ ...mail, COUNTERSIGN_MAIL_BOUNCE_ADDRESS: 'bounces@cs.example.com', COUNTERSIGN_BOUNCE_IMAP_URL: 'imaps://bounce%40cs.example.com:p%40ss@imap.example.com/Bounces%20In', COUNTERSIGN_BOUNCE_POLL_MS: '30000' });
    expect(on.ok && on.config.email).toMatchObject({
      bounceAddress: 'bounces@cs.example.com',
      bounceMailbox: { host: 'imap.example.com', port: 993, secure: true, user: 'bounce@cs.example.com', password: 'p@ss', mailbox: 'Bounces In', pollMs: 30_000 },
    });
    const plain = loadConfig({ ...mail, COUNTERSIGN_BOUNCE_IMAP_URL: 'imap://u:p@127.0.0.1:1143' });
    expect(plain.ok && plain.config.email?.bounceMailbox).toMatchObject({ host: '127.0.0.1', port: 1143, secure: false, mailbox: 'INBOX', pollMs: 60_000 });

    const bad = loadConfig({ ...mail, COUNTERSIGN_MAIL_BOUNCE_ADDRESS: 'bounces+x@cs.example.com', COUNTERSIGN_BOUNCE_IMAP_URL: 'pop3://u:hunter2@mail.example.com' });
    const errors = !bad.ok ? bad.errors.join('\n') : '';
    expect(errors).toContain('COUNTERSIGN_MAIL_BOUNCE_ADDRESS');
    expect(errors).toContain('COUNTERSIGN_BOUNCE_IMAP_URL is not valid');
    expect(errors).not.toContain('hunter2');
    const withoutMail = loadConfig({ COUNTERSIGN_BOUNCE_IMAP_URL: 'imaps://u:p@imap.example.com' });
    expect(!withoutMail.ok && withoutMail.errors.join('\n')).toContain('COUNTERSIGN_BOUNCE_IMAP_URL is set but mail is off');
  });

  it('refuses a bad SMTP URL without echoing it (it may hold a password), a missing From and a digest hour past 23', () => {
    const result = loadConfig({ COUNTERSIGN_SMTP_URL: 'http://user:secret@mail.example.com', COUNTERSIGN_DIGEST_HOUR: '24' });
    const errors = !result.ok ? result.errors.join('\n') : '';
    expect(errors).toContain('COUNTERSIGN_SMTP_URL');
    expect(errors).toContain('COUNTERSIGN_MAIL_FROM is required');
    expect(errors).toContain('COUNTERSIGN_DIGEST_HOUR');
    expect(errors).not.toContain('secret');
  });
});

describe('single sign-on configuration', () => {
  const sso = { COUNTERSIGN_OIDC_ISSUER: 'https://id.example.com', COUNTERSIGN_OIDC_CLIENT_ID: 'countersign', COUNTERSIGN_OIDC_CLIENT_SECRET: 's3cret', COUNTERSIGN_PUBLIC_URL: 'https://cs.example.com' };

  it('is off unless configured', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.oidc).toBeNull();
  });

  it('takes the issuer, the client and a comma-separated list of admin emails, in lower case and once each', () => {
    const result = loadConfig({ ...sso, COUNTERSIGN_OIDC_ADMINS: ' Root@Example.com, ops@example.com,,root@example.com ' });
    expect(result.ok && result.config.oidc).toEqual({ issuer: 'https://id.example.com', clientId: 'countersign', clientSecret: 's3cret', admins: ['root@example.com', 'ops@example.com'] });
  });

  it('needs all three variables together, naming the missing ones', () => {
    const result = loadConfig({ COUNTERSIGN_OIDC_ISSUER: sso.COUNTERSIGN_OIDC_ISSUER, COUNTERSIGN_PUBLIC_URL: sso.COUNTERSIGN_PUBLIC_URL });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.join('\n')).toMatch(/COUNTERSIGN_OIDC_CLIENT_ID, COUNTERSIGN_OIDC_CLIENT_SECRET are missing/);
  });

  it('needs the public URL, from which the redirect URI is built', () => {
    const result = loadConfig({ ...sso, COUNTERSIGN_PUBLIC_URL: '' });
    expect(result.ok ? '' : result.errors.join('\n')).toMatch(/COUNTERSIGN_PUBLIC_URL\/auth\/oidc\/callback/);
  });

  it('refuses a plain-http issuer that is not on this machine, a bad admin entry, and admins without single sign-on', () => {
    const http = loadConfig({ ...sso, COUNTERSIGN_OIDC_ISSUER: 'http://id.example.com', COUNTERSIGN_OIDC_ADMINS: 'root' });
    const errors = http.ok ? '' : http.errors.join('\n');
    expect(errors).toMatch(/COUNTERSIGN_OIDC_ISSUER/);
    expect(errors).toMatch(/COUNTERSIGN_OIDC_ADMINS: "root" is not an email/);
    expect(loadConfig({ ...sso, COUNTERSIGN_OIDC_ISSUER: 'http://localhost:9000/oidc' }).ok).toBe(true);
    const orphan = loadConfig({ COUNTERSIGN_OIDC_ADMINS: 'root@example.com' });
    expect(orphan.ok ? '' : orphan.errors.join('\n')).toMatch(/COUNTERSIGN_OIDC_ADMINS is set but single sign-on is not/);
  });
});
