import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprover, startServer, startStack } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { freePort } from './support/process.js';
import { ssoSignIn, startIdentityProvider, startSsoStack } from './support/oidc.js';

const ME = '{ me { kind id name } }';

/** A GraphQL request authenticated by a cookie only, from the server's own page. */
async function cookieGql(base: string, cookie: string, query: string) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base, cookie }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as any };
}

async function sessionEvents(stack: Awaited<ReturnType<typeof startSsoStack>>) {
  return stack.database.query<{ kind: string; actor_type: string; actor_id: string | null; data: any }>(
    `select kind, actor_type, actor_id, data from audit_event where kind like 'SESSION_%' order by seq`,
  );
}

describe('single sign-on against a real OpenID provider', () => {
  let stack: Awaited<ReturnType<typeof startSsoStack>>;
  let base: string;

  beforeAll(async () => {
    stack = await startSsoStack({ unverified: ['unverified@example.com'], env: { COUNTERSIGN_OIDC_ADMINS: 'Root@Example.com' } });
    base = stack.publicUrl;
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('tells the web app that single sign-on is offered, with no secret', async () => {
    const response = await fetch(`${base}/auth/config`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sso: true });
  });

  it('signs an approver in by their verified email (any case) with the same cookie session as a token, recorded as OIDC', async () => {
    const approver = await createApprover(stack, 'nora');
    await gqlOk(stack.url, 'mutation($id: ID!) { updateApprover(id: $id, input: { email: "Nora.Quinn@Example.com" }) { id } }', { id: approver.id }, stack.adminToken);

    const result = await ssoSignIn(base, 'nora.quinn@EXAMPLE.com');
    expect(result.location).toBe('/');
    expect(result.sessionCookie).toMatch(/^cs_session=[A-Za-z0-9_-]{43}$/);
    // The short-lived sign-in cookie is spent.
    expect(result.jar.get('cs_oidc')).toBeUndefined();

    const who = await fetch(`${base}/auth/session`, { headers: { cookie: result.sessionCookie! } });
    expect(await who.json()).toEqual({ principal: { kind: 'APPROVER', id: approver.id, name: 'nora' } });
    expect((await cookieGql(base, result.sessionCookie!, ME)).body.data.me).toEqual({ kind: 'APPROVER', id: approver.id, name: 'nora' });

    const started = (await sessionEvents(stack)).filter((e) => e.kind === 'SESSION_STARTED').at(-1)!;
    expect(started).toMatchObject({ actor_type: 'APPROVER', actor_id: approver.id, data: { method: 'OIDC', email: 'nora.quinn@example.com', subject: 'nora.quinn@EXAMPLE.com' } });
  });

  it('lands on the page the sign-in started from, and never on another site', async () => {
    const approver = await createApprover(stack, 'otto');
    const deep = await ssoSignIn(base, 'otto@example.com', { next: '/actions/7c0c1e4b-0000-4000-8000-000000000000' });
    expect(deep.location).toBe('/actions/7c0c1e4b-0000-4000-8000-000000000000');
    expect(deep.sessionCookie).not.toBeNull();
    const away = await ssoSignIn(base, 'otto@example.com', { next: '//evil.example/phish' });
    expect(away.location).toBe('/');
    expect((await cookieGql(base, away.sessionCookie!, ME)).body.data.me.id).toBe(approver.id);
  });

  it('refuses an email that is no active approver\'s, with no session, and records why', async () => {
    const result = await ssoSignIn(base, 'stranger@example.com', { next: '/history' });
    expect(result.location).toBe('/history?sso_error=not_authorized');
    expect(result.sessionCookie).toBeNull();
    const refused = (await sessionEvents(stack)).at(-1)!;
    expect(refused).toMatchObject({ kind: 'SESSION_REFUSED', actor_type: 'SYSTEM', data: { method: 'OIDC', refusal: 'not_authorized', email: 'stranger@example.com' } });
  });

  it('refuses an email the provider has not verified, even an approver\'s', async () => {
    const approver = await createApprover(stack, 'unverified');
    expect(approver.name).toBe('unverified');
    const result = await ssoSignIn(base, 'unverified@example.com');
    expect(result.location).toBe('/?sso_error=email_unverified');
    expect(result.sessionCookie).toBeNull();
    expect((await sessionEvents(stack)).at(-1)).toMatchObject({ kind: 'SESSION_REFUSED', data: { refusal: 'email_unverified', email: 'unverified@example.com' } });
  });

  it('comes back to the sign-in page, with no session, when the person cancels at the provider', async () => {
    const result = await ssoSignIn(base, 'nobody@example.com', { cancel: true, next: '/reviews' });
    expect(result.location).toBe('/reviews?sso_error=cancelled');
    expect(result.sessionCookie).toBeNull();
    expect((await sessionEvents(stack)).at(-1)).toMatchObject({ kind: 'SESSION_REFUSED', data: { refusal: 'cancelled', email: null } });
  });

  it('refuses a callback whose state does not match the one this browser started with, or that no sign-in started', async () => {
    await createApprover(stack, 'mallory');
    const forged = await ssoSignIn(base, 'mallory@example.com', { tamper: (q) => q.set('state', 'forged-state') });
    expect(forged.location).toBe('/?sso_error=failed');
    expect(forged.sessionCookie).toBeNull();
    expect((await sessionEvents(stack)).at(-1)).toMatchObject({ kind: 'SESSION_REFUSED', data: { refusal: 'failed' } });

    // A code from another browser's sign-in (login CSRF): this browser has no sign-in cookie.
    let code = '';
    const other = await ssoSignIn(base, 'mallory@example.com', { tamper: (q) => { code = q.toString(); q.set('code', 'spent'); } });
    expect(other.sessionCookie).toBeNull();
    const bare = await fetch(`${base}/auth/oidc/callback?${code}`, { redirect: 'manual' });
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe('/?sso_error=failed');
    expect(bare.headers.getSetCookie().some((c) => c.startsWith('cs_session=') && !c.startsWith('cs_session=;'))).toBe(false);

    // A sign-in cookie altered by hand does not open either.
    const altered = await fetch(`${base}/auth/oidc/callback?${code}`, { redirect: 'manual', headers: { cookie: 'cs_oidc=cs1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(altered.headers.get('location')).toBe('/?sso_error=failed');
  });

  it('ends an approver\'s SSO session when they are deactivated, and refuses their email from then on', async () => {
    const approver = await createApprover(stack, 'dora');
    const { sessionCookie } = await ssoSignIn(base, 'dora@example.com');
    expect((await cookieGql(base, sessionCookie!, ME)).body.data.me.id).toBe(approver.id);
    await gqlOk(stack.url, 'mutation($id: ID!) { updateApprover(id: $id, input: { active: false }) { id } }', { id: approver.id }, stack.adminToken);
    const after = await cookieGql(base, sessionCookie!, ME);
    expect(after.status).toBe(401);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await ssoSignIn(base, 'dora@example.com')).location).toBe('/?sso_error=not_authorized');
  });

  it('signs out: the SSO session\'s cookie no longer works, and the answer sends the browser to sign out at the provider too', async () => {
    const sven = await createApprover(stack, 'sven');
    const { sessionCookie } = await ssoSignIn(base, 'sven@example.com');
    // The provider's ID token is kept for that, sealed: no JWT in the database.
    const [stored] = await stack.database.query<{ id_token: string | null }>(`select "id_token" from "web_session" where "principal_id" = $1 and "ended_at" is null`, [sven.id]);
    expect(stored!.id_token).toMatch(/^\S+$/);
    expect(stored!.id_token).not.toMatch(/^eyJ/);

    const out = await fetch(`${base}/auth/session`, { method: 'DELETE', headers: { cookie: sessionCookie!, origin: base } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => c.startsWith('cs_session=;') || /max-age=0/i.test(c))).toBe(true);
    const { logoutUrl } = (await out.json()) as { logoutUrl: string };
    const logout = new URL(logoutUrl);
    expect(logout.origin).toBe(stack.idp.issuer);
    expect(logout.pathname).toBe('/session/end');
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const after = await cookieGql(base, sessionCookie!, ME);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    // A token sign-in has nothing to end at the provider.
    const token = await fetch(`${base}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ token: sven.token }) });
    const tokenCookie = token.headers.getSetCookie().find((c) => c.startsWith('cs_session='))!.split(';')[0]!;
    expect((await fetch(`${base}/auth/session`, { method: 'DELETE', headers: { cookie: tokenCookie, origin: base } })).status).toBe(204);
  });

  it('signs a listed admin in as an admin with a stable id, valid only while the email stays listed', async () => {
    const first = await ssoSignIn(base, 'root@example.com');
    expect(first.location).toBe('/');
    const me = (await cookieGql(base, first.sessionCookie!, ME)).body.data.me;
    expect(me).toMatchObject({ kind: 'ADMIN', name: 'root@example.com' });
    const second = await ssoSignIn(base, 'ROOT@example.com');
    expect((await cookieGql(base, second.sessionCookie!, ME)).body.data.me.id).toBe(me.id);
    // Admin rights, not an approver's.
    const audit = await cookieGql(base, second.sessionCookie!, '{ verifyAuditChain { valid } }');
    expect(audit.body.data.verifyAuditChain.valid).toBe(true);
    expect((await sessionEvents(stack)).filter((e) => e.kind === 'SESSION_STARTED').at(-1)).toMatchObject({ actor_type: 'ADMIN', actor_id: me.id, data: { method: 'OIDC', email: 'root@example.com' } });

    // Another instance on the same database that does not list the email does not honour its sessions.
    const other = await startServer({ database: stack.database });
    try {
      const otherBase = new URL(other.url).origin;
      const refused = await cookieGql(otherBase, second.sessionCookie!, ME);
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await other.dispose();
    }
  });

  it('answers only GET on its endpoints', async () => {
    const response = await fetch(`${base}/auth/oidc/start`, { method: 'POST', headers: { origin: base } });
    expect(response.status).toBe(405);
  });
});

describe('single sign-on while the provider is down', () => {
  it('starts, serves tokens, answers 503 to a sign-in with a message, and signs in once the provider is up', async () => {
    const port = await freePort();
    const idpPort = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // Nothing listens at the issuer yet.
    const stack = await startStack({
      PORT: String(port),
      COUNTERSIGN_PUBLIC_URL: publicUrl,
      COUNTERSIGN_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
      COUNTERSIGN_OIDC_CLIENT_ID: 'countersign-test',
      COUNTERSIGN_OIDC_CLIENT_SECRET: 'countersign-test-secret-0123456789abcdef',
    });
    let idp: Awaited<ReturnType<typeof startIdentityProvider>> | null = null;
    try {
      expect((await fetch(`${publicUrl}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${publicUrl}/auth/config`)).json()).toEqual({ sso: true });
      const approver = await createApprover(stack, 'pia');
      expect((await gqlOk(stack.url, ME, {}, approver.token)).me.name).toBe('pia');

      const json = await fetch(`${publicUrl}/auth/oidc/start`, { redirect: 'manual' });
      expect(json.status).toBe(503);
      expect(json.headers.get('retry-after')).not.toBeNull();
      expect(await json.json()).toEqual({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(/single sign-on provider cannot be reached/) } });
      const page = await fetch(`${publicUrl}/auth/oidc/start`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(await page.text()).toMatch(/cannot be reached right now[\s\S]*Back to sign-in/);

      // This provider puts the email in the ID token itself (the others only answer it at userinfo).
      idp = await startIdentityProvider({ redirectUri: `${publicUrl}/auth/oidc/callback`, port: idpPort, emailInIdToken: true });
      const result = await ssoSignIn(publicUrl, 'pia@example.com');
      expect(result.location).toBe('/');
      expect((await cookieGql(publicUrl, result.sessionCookie!, ME)).body.data.me.name).toBe('pia');
    } finally {
      await stack.dispose();
      await idp?.close();
    }
  });
});

describe('single sign-on endpoints', () => {
  it('are absent without configuration: the sign-in page offers tokens only', async () => {
    const stack = await startStack();
    try {
      const base = new URL(stack.url).origin;
      expect(await (await fetch(`${base}/auth/config`)).json()).toEqual({ sso: false });
      expect((await fetch(`${base}/auth/oidc/start`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${base}/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await stack.dispose();
    }
  });

  it('count against the caller\'s address like token sign-ins', async () => {
    // One request a second and a reserve of 5: a flood of 30 is refused in part unless it lasts 25 s.
    const stack = await startSsoStack({ env: { COUNTERSIGN_RATE_LIMIT: '1', COUNTERSIGN_RATE_LIMIT_BURST: '5' } });
    try {
      const statuses: Record<string, number[]> = { start: [], callback: [] };
      for (let i = 0; i < 15; i++) {
        statuses.start!.push((await fetch(`${stack.publicUrl}/auth/oidc/start`, { redirect: 'manual' })).status);
        statuses.callback!.push((await fetch(`${stack.publicUrl}/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' })).status);
      }
      expect(statuses.start![0]).toBe(303);
      expect(statuses.start).toContain(429);
      expect(statuses.callback).toContain(429);
      expect(statuses.callback!.every((s) => s === 303 || s === 429)).toBe(true);
    } finally {
      await stack.dispose();
    }
  });
});
