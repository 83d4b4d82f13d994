import { describe, expect, it } from 'vitest';
import { PrincipalKind } from '../shared/enums.js';
import {
  SsoRefusal,
  loginCookie,
  parseLoginState,
  refusalLocation,
  safeNextPath,
  ssoAdminCredential,
  ssoAdminId,
  ssoAdminOfSession,
  verifiedEmail,
} from './oidc-rules.js';

describe('safeNextPath', () => {
  it('keeps a path of this site with its query', () => {
    expect(safeNextPath('/actions/4b7c0c1e-0000-4000-8000-000000000000')).toBe('/actions/4b7c0c1e-0000-4000-8000-000000000000');
    expect(safeNextPath('/history?first=20')).toBe('/history?first=20');
  });

  it('sends anything that could leave the site, or loop through sign-in, to the start page', () => {
    for (const raw of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'evil.example', '/\t/evil.example', '/%0a/x\n', '', null, 42, '/auth/oidc/start', '/auth', '/auth/session']) {
      expect(safeNextPath(raw), String(raw)).toBe('/');
    }
  });

  it('drops a fragment and resolves dot segments, so the result is a plain path', () => {
    expect(safeNextPath('/a/../actions/1#x')).toBe('/actions/1');
    expect(safeNextPath('/./auth/../auth/oidc/start')).toBe('/');
  });
});

describe('refusalLocation', () => {
  it('adds the refusal to the page the person wanted, replacing an earlier one', () => {
    expect(refusalLocation('/actions/1', SsoRefusal.NOT_AUTHORIZED)).toBe('/actions/1?sso_error=not_authorized');
    expect(refusalLocation('/history?first=5&sso_error=failed', SsoRefusal.CANCELLED)).toBe('/history?first=5&sso_error=cancelled');
    expect(refusalLocation('//evil.example', SsoRefusal.FAILED)).toBe('/?sso_error=failed');
  });
});

describe('verifiedEmail', () => {
  it('takes an email the provider says is verified, in lower case', () => {
    expect(verifiedEmail({ email: ' Ana@Example.COM ', email_verified: true })).toEqual({ email: 'ana@example.com' });
  });

  it('refuses an unverified, unstated or stringly verified email, and a missing one', () => {
    expect(verifiedEmail({ email: 'ana@example.com', email_verified: false })).toEqual({ refusal: SsoRefusal.EMAIL_UNVERIFIED, email: 'ana@example.com' });
    expect(verifiedEmail({ email: 'ana@example.com' })).toEqual({ refusal: SsoRefusal.EMAIL_UNVERIFIED, email: 'ana@example.com' });
    expect(verifiedEmail({ email: 'ana@example.com', email_verified: 'true' })).toEqual({ refusal: SsoRefusal.EMAIL_UNVERIFIED, email: 'ana@example.com' });
    expect(verifiedEmail({ email_verified: true })).toEqual({ refusal: SsoRefusal.EMAIL_UNVERIFIED, email: null });
  });
});

describe('SSO admins', () => {
  const hash = (s: string) => `h(${s})`;

  it('have a stable, well-formed uuid per email, whatever its case', () => {
    const id = ssoAdminId('Root@Example.com');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ssoAdminId('root@example.com')).toBe(id);
    expect(ssoAdminId('other@example.com')).not.toBe(id);
  });

  it('stand while their email is listed, and not once it is taken off', () => {
    const id = ssoAdminId('root@example.com');
    const credential = hash(ssoAdminCredential('root@example.com'));
    expect(ssoAdminOfSession(['ops@example.com', 'root@example.com'], hash, id, credential)).toEqual({ kind: PrincipalKind.ADMIN, id, name: 'root@example.com' });
    expect(ssoAdminOfSession(['ops@example.com'], hash, id, credential)).toBeNull();
    // Another listed admin's credential does not stand for this id.
    expect(ssoAdminOfSession(['ops@example.com', 'root@example.com'], hash, id, hash(ssoAdminCredential('ops@example.com')))).toBeNull();
  });
});

describe('the sign-in cookie', () => {
  it('is HttpOnly, SameSite=Lax, only for /auth/oidc, and Secure over https', () => {
    expect(loginCookie('v', { secure: true, maxAgeSeconds: 600 })).toBe('cs_oidc=v; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=600; Secure');
    expect(loginCookie('', { secure: false, maxAgeSeconds: 0 })).toContain('Expires=Thu, 01 Jan 1970');
  });

  it('opens only a complete, unexpired state', () => {
    const state = { state: 's', nonce: 'n', verifier: 'v', next: '/actions/1', expiresAt: 2000 };
    expect(parseLoginState(JSON.stringify(state), 1999)).toEqual(state);
    expect(parseLoginState(JSON.stringify(state), 2000)).toBeNull();
    expect(parseLoginState(JSON.stringify({ ...state, nonce: undefined }), 1000)).toBeNull();
    expect(parseLoginState('not json', 1000)).toBeNull();
    expect(parseLoginState(JSON.stringify({ ...state, next: '//evil.example' }), 1000)?.next).toBe('/');
  });
});
