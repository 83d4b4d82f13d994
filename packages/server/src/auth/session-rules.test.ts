import { describe, expect, it } from 'vitest';
import { SessionEnd, isSameOrigin, readCookie, sessionCookie, sessionEndReason, shouldTouch } from './session-rules.js';

const limits = { idleSeconds: 3600, maxAgeSeconds: 86_400 };
const at = (iso: string) => new Date(iso);

describe('sessionEndReason', () => {
  const session = { lastSeenAt: at('2026-12-04T10:00:00Z'), expiresAt: at('2026-12-05T09:00:00Z'), credentialValid: true };

  it('keeps a session used within its idle time and before its absolute end', () => {
    expect(sessionEndReason(session, at('2026-12-04T10:59:59Z'), limits)).toBeNull();
  });

  it('ends a session unused for its idle time', () => {
    expect(sessionEndReason(session, at('2026-12-04T11:00:00Z'), limits)).toBe(SessionEnd.IDLE);
  });

  it('ends a session at its absolute end however recently it was used', () => {
    expect(sessionEndReason({ ...session, lastSeenAt: at('2026-12-05T08:59:59Z') }, at('2026-12-05T09:00:00Z'), limits)).toBe(SessionEnd.EXPIRED);
  });

  it('ends a session whose credential was revoked, even a fresh one', () => {
    expect(sessionEndReason({ ...session, credentialValid: false }, at('2026-12-04T10:00:01Z'), limits)).toBe(SessionEnd.CREDENTIAL_REVOKED);
  });
});

describe('shouldTouch', () => {
  it('does not write down every use', () => {
    expect(shouldTouch(at('2026-12-04T10:00:00Z'), at('2026-12-04T10:00:30Z'), 12 * 3600)).toBe(false);
  });

  it('writes down a use a minute after the last one', () => {
    expect(shouldTouch(at('2026-12-04T10:00:00Z'), at('2026-12-04T10:01:00Z'), 12 * 3600)).toBe(true);
  });

  it('writes down uses more often when the idle time is short', () => {
    expect(shouldTouch(at('2026-12-04T10:00:00Z'), at('2026-12-04T10:00:01Z'), 4)).toBe(true);
  });
});

describe('cookies', () => {
  it('reads the session cookie among others', () => {
    expect(readCookie('theme=dark; cs_session=abc_DEF-1; other=x', 'cs_session')).toBe('abc_DEF-1');
    expect(readCookie('xcs_session=abc', 'cs_session')).toBeNull();
    expect(readCookie(undefined, 'cs_session')).toBeNull();
    expect(readCookie('cs_session=', 'cs_session')).toBeNull();
  });

  it('makes an HttpOnly, SameSite=Lax cookie, Secure only over https', () => {
    expect(sessionCookie('v', { secure: false, maxAgeSeconds: 60 })).toBe('cs_session=v; HttpOnly; SameSite=Lax; Path=/; Max-Age=60');
    expect(sessionCookie('v', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
    expect(sessionCookie('', { secure: false, maxAgeSeconds: 0 })).toContain('Expires=Thu, 01 Jan 1970');
  });
});

describe('isSameOrigin', () => {
  const plain = { publicUrl: null, secure: false };

  it('accepts the origin the request was addressed to', () => {
    expect(isSameOrigin({ origin: 'http://127.0.0.1:4000', host: '127.0.0.1:4000' }, plain)).toBe(true);
  });

  it('accepts the public URL behind a proxy that rewrites the host', () => {
    expect(isSameOrigin({ origin: 'https://cs.example.com', host: '10.0.0.5:4000' }, { publicUrl: 'https://cs.example.com/base', secure: false })).toBe(true);
  });

  it('refuses another site, another port, another scheme and the opaque origin', () => {
    expect(isSameOrigin({ origin: 'https://evil.example', host: '127.0.0.1:4000' }, plain)).toBe(false);
    expect(isSameOrigin({ origin: 'http://127.0.0.1:4001', host: '127.0.0.1:4000' }, plain)).toBe(false);
    expect(isSameOrigin({ origin: 'https://127.0.0.1:4000', host: '127.0.0.1:4000' }, plain)).toBe(false);
    expect(isSameOrigin({ origin: 'null', host: '127.0.0.1:4000' }, plain)).toBe(false);
  });

  it('refuses a request the browser marks as cross-site even without an Origin', () => {
    expect(isSameOrigin({ host: '127.0.0.1:4000', 'sec-fetch-site': 'cross-site' }, plain)).toBe(false);
    expect(isSameOrigin({ host: '127.0.0.1:4000' }, plain)).toBe(true);
  });
});
