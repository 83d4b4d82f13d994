import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, startStack, createAgent, createApprover, type TestServer } from './support/server.js';
import { collect, errorCode, gqlOk, wsOnce } from './support/graphql.js';
import { waitFor } from './support/wait.js';

const ME = '{ me { kind id name } }';
const BIG_BUNDLE = Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i};`).join('\n');

interface SignIn {
  status: number;
  body: any;
  setCookie: string | null;
  /** `cs_session=<secret>`, ready for a Cookie header. */
  cookie: string | null;
}

/** Signs in as the web app does: POST /auth/session with the token, from the server's own page. */
async function signIn(base: string, token: string, headers: Record<string, string> = {}): Promise<SignIn> {
  const response = await fetch(`${base}/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...headers },
    body: JSON.stringify({ token }),
  });
  const setCookie = response.headers.get('set-cookie');
  const match = setCookie ? /^(cs_session=[^;]+)/.exec(setCookie) : null;
  return { status: response.status, body: await response.json(), setCookie, cookie: match ? match[1]! : null };
}

/** A GraphQL request authenticated by the cookie only, as the browser sends it. */
async function cookieGql(base: string, cookie: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, cookie, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body };
}

/** A graphql-ws client that authenticates with the session cookie of its upgrade request, as a browser does. */
function cookieWsClient(base: string, cookie: string, origin = base): Client {
  class BrowserLikeWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { cookie }, origin });
    }
  }
  return createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: BrowserLikeWebSocket, retryAttempts: 0, lazy: true });
}

/** Opens a live queue subscription and waits until the server has accepted the connection. */
async function openQueue(client: Client) {
  let connected = false;
  const stop = client.on('connected', () => (connected = true));
  const live = collect(client, 'subscription { approvalQueueUpdated { actionId inQueue } }');
  await waitFor(() => connected || live.errors.length > 0, { what: 'the connection to be accepted' });
  stop();
  expect(live.errors).toEqual([]);
  return live;
}

/** The close code a collected subscription ended with. */
function closeCode(live: { errors: unknown[] }): number | undefined {
  const error = live.errors.find((e) => e && typeof e === 'object' && 'code' in e) as { code: number } | undefined;
  return error?.code;
}

describe('web app sessions', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let base: string;
  let webDir: string;

  beforeAll(async () => {
    webDir = await mkdtemp(path.join(tmpdir(), 'countersign-web-'));
    await mkdir(path.join(webDir, 'assets'));
    await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>Countersign</title><div id="root"></div><script type="module" src="/assets/index-Ab12Cd34.js"></script>');
    await writeFile(path.join(webDir, 'assets', 'index-Ab12Cd34.js'), 'console.log("app");');
    await writeFile(path.join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(webDir, 'assets', 'vendor-Zz99Yy88.js'), BIG_BUNDLE);
    stack = await startStack({ COUNTERSIGN_WEB_DIR: webDir });
    base = new URL(stack.url).origin;
  });
  afterAll(async () => {
    await stack?.dispose();
    await rm(webDir, { recursive: true, force: true });
  });

  it('signs an approver in with an HttpOnly, SameSite=Lax cookie (not Secure over plain http) and tells who is signed in', async () => {
    const approver = await createApprover(stack, 'web-ana', ['finance']);
    const session = await signIn(base, approver.token);
    expect(session.status).toBe(200);
    expect(session.body).toEqual({ principal: { kind: 'APPROVER', id: approver.id, name: 'web-ana' } });
    expect(session.setCookie).toMatch(/^cs_session=[A-Za-z0-9_-]{43};/);
    const attributes = session.setCookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes).not.toContain('secure');
    // The cookie is not the token, and neither is stored as it is.
    expect(session.cookie).not.toContain(approver.token);
    const secret = session.cookie!.split('=')[1]!;
    const stored = await stack.database.query<{ n: string }>('select count(*) as n from web_session where secret_hash = $1 or credential_hash = $2', [secret, approver.token]);
    expect(Number(stored[0]!.n)).toBe(0);

    const who = await fetch(`${base}/auth/session`, { headers: { cookie: session.cookie! } });
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({ principal: { kind: 'APPROVER', id: approver.id, name: 'web-ana' } });
  });

  it('authenticates GraphQL over HTTP and over WebSocket with the cookie as the token would', async () => {
    const approver = await createApprover(stack, 'web-ben', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    const http = await cookieGql(base, cookie!, ME);
    expect(http.status).toBe(200);
    expect(http.body.data.me).toEqual({ kind: 'APPROVER', id: approver.id, name: 'web-ben' });

    const client = cookieWsClient(base, cookie!);
    try {
      const ws = await wsOnce(client, ME);
      expect(ws.errors).toBeUndefined();
      expect(ws.data?.me).toEqual({ kind: 'APPROVER', id: approver.id, name: 'web-ben' });
    } finally {
      await client.dispose();
    }
  });

  it('signs the bootstrap admin in too', async () => {
    const session = await signIn(base, stack.adminToken);
    expect(session.body).toEqual({ principal: { kind: 'ADMIN', id: null, name: 'bootstrap' } });
    const http = await cookieGql(base, session.cookie!, '{ agents { totalCount } }');
    expect(http.body.errors).toBeUndefined();
  });

  it('refuses a wrong token with 401 UNAUTHENTICATED and sets no cookie', async () => {
    const session = await signIn(base, 'cs_appr_not-a-real-token');
    expect(session.status).toBe(401);
    expect(session.body.error.code).toBe('UNAUTHENTICATED');
    expect(session.setCookie).toBeNull();
  });

  it('refuses an agent key with 403: the web app is for people', async () => {
    const agent = await createAgent(stack, 'web-bot');
    const session = await signIn(base, agent.apiKey);
    expect(session.status).toBe(403);
    expect(session.body.error.code).toBe('FORBIDDEN');
    expect(session.setCookie).toBeNull();
  });

  it('answers 401 to GET /auth/session without a session', async () => {
    const response = await fetch(`${base}/auth/session`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('UNAUTHENTICATED');
  });

  it('signing out kills the cookie at once: HTTP is refused and an open WebSocket closes', async () => {
    const approver = await createApprover(stack, 'web-cleo', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    const client = cookieWsClient(base, cookie!);
    try {
      const live = await openQueue(client);
      const out = await fetch(`${base}/auth/session`, { method: 'DELETE', headers: { cookie: cookie!, origin: base } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^cs_session=; .*Max-Age=0/);

      const after = await cookieGql(base, cookie!, ME);
      expect(after.status).toBe(401);
      expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await fetch(`${base}/auth/session`, { headers: { cookie: cookie! } })).status).toBe(401);
      await live.completed;
      expect(closeCode(live)).toBe(4403);
    } finally {
      await client.dispose();
    }
    const audit = await stack.database.query<{ kind: string; data: any }>(`select kind, data from audit_event where subject_type = 'SESSION' and actor_id = $1 order by seq`, [approver.id]);
    expect(audit.map((a) => a.kind)).toEqual(['SESSION_STARTED', 'SESSION_ENDED']);
    expect((audit[1]!.data as { reason: string }).reason).toBe('SIGNED_OUT');
    expect(JSON.stringify(audit)).not.toContain(cookie!.split('=')[1]!);
  });

  it('deactivating the approver ends their session at once, WebSocket included', async () => {
    const approver = await createApprover(stack, 'web-dan', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    const client = cookieWsClient(base, cookie!);
    try {
      const live = await openQueue(client);
      await gqlOk(stack.url, 'mutation($id: ID!) { updateApprover(id: $id, input: { active: false }) { active } }', { id: approver.id }, stack.adminToken);
      const after = await cookieGql(base, cookie!, ME);
      expect(after.status).toBe(401);
      await live.completed;
      expect(closeCode(live)).toBe(4403);
    } finally {
      await client.dispose();
    }
  });

  it('a new token for the approver (rotation) ends the sessions opened with the old one', async () => {
    const approver = await createApprover(stack, 'web-eve', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    expect((await cookieGql(base, cookie!, ME)).status).toBe(200);
    await gqlOk(stack.url, 'mutation($id: ID!) { rotateApproverToken(id: $id) { token } }', { id: approver.id }, stack.adminToken);
    const after = await cookieGql(base, cookie!, ME);
    expect(after.status).toBe(401);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const [row] = await stack.database.query<{ end_reason: string }>('select end_reason from web_session where principal_id = $1', [approver.id]);
    expect(row!.end_reason).toBe('CREDENTIAL_REVOKED');
  });

  it('revoking a named admin token ends the sessions opened with it', async () => {
    const created = await gqlOk<{ createAdminToken: { token: string } }>(stack.url, 'mutation { createAdminToken(name: "web-admin") { token } }', {}, stack.adminToken);
    const { cookie, body } = await signIn(base, created.createAdminToken.token);
    expect(body.principal).toMatchObject({ kind: 'ADMIN', name: 'web-admin' });
    expect((await cookieGql(base, cookie!, '{ agents { totalCount } }')).body.errors).toBeUndefined();
    await gqlOk(stack.url, 'mutation($id: ID!) { revokeAdminToken(id: $id) { id } }', { id: body.principal.id }, stack.adminToken);
    const after = await cookieGql(base, cookie!, '{ agents { totalCount } }');
    expect(after.status).toBe(401);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('signing in again from the same browser, as someone else, ends the session it had', async () => {
    const first = await createApprover(stack, 'web-jo', ['finance']);
    const second = await createApprover(stack, 'web-kim', ['finance']);
    const before = await signIn(base, first.token);
    const after = await signIn(base, second.token, { cookie: before.cookie! });
    expect(after.body.principal.name).toBe('web-kim');
    expect((await cookieGql(base, before.cookie!, ME)).status).toBe(401);
    expect((await cookieGql(base, after.cookie!, ME)).body.data.me.name).toBe('web-kim');
  });

  it('keeps at most the configured number of sessions per person, ending the least recently used', async () => {
    const approver = await createApprover(stack, 'web-fay', ['finance']);
    const cookies: string[] = [];
    for (let i = 0; i < 11; i++) cookies.push((await signIn(base, approver.token)).cookie!);
    expect((await cookieGql(base, cookies[0]!, ME)).status).toBe(401);
    expect((await cookieGql(base, cookies[10]!, ME)).status).toBe(200);
    const [open] = await stack.database.query<{ n: string }>('select count(*) as n from web_session where principal_id = $1 and ended_at is null', [approver.id]);
    expect(Number(open!.n)).toBe(10);
  });

  describe('CSRF', () => {
    let cookie: string;
    beforeAll(async () => {
      const approver = await createApprover(stack, 'web-gus', ['finance']);
      cookie = (await signIn(base, approver.token)).cookie!;
    });

    it('refuses a cross-origin POST carrying the cookie with 403', async () => {
      const response = await cookieGql(base, cookie, ME, {}, { origin: 'https://evil.example' });
      expect(response.status).toBe(403);
      expect(response.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(response.body.data).toBeUndefined();
    });

    it('refuses a request the browser marks cross-site even without an Origin', async () => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'sec-fetch-site': 'cross-site' }, body: JSON.stringify({ query: ME }) });
      expect(response.status).toBe(403);
    });

    it('refuses a text/plain POST (what an HTML form or a simple request can send)', async () => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: base, cookie }, body: JSON.stringify({ query: 'mutation { createAdminToken(name: "csrf") { token } }' }) });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/CSRF/i);
    });

    it('refuses a sign-in from another site', async () => {
      const approver = await createApprover(stack, 'web-hal', ['finance']);
      const session = await signIn(base, approver.token, { origin: 'https://evil.example' });
      expect(session.status).toBe(403);
      expect(session.setCookie).toBeNull();
    });

    it('refuses a WebSocket upgrade from another origin', async () => {
      const client = cookieWsClient(base, cookie, 'https://evil.example');
      try {
        await expect(wsOnce(client, ME)).rejects.toThrow();
      } finally {
        await client.dispose();
      }
      const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: { cookie }, origin: 'https://evil.example' });
      const refused = await new Promise<number>((resolve) => {
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => resolve(-1));
      });
      socket.terminate();
      expect(refused).toBe(403);
    });

    it('lets the bearer token win over the cookie, whatever the origin (no cookie, no CSRF)', async () => {
      const approver = await createApprover(stack, 'web-ida', ['finance']);
      const response = await cookieGql(base, cookie, ME, {}, { origin: 'https://dashboard.example', authorization: `Bearer ${approver.token}` });
      expect(response.status).toBe(200);
      expect(response.body.data.me.name).toBe('web-ida');
    });
  });

  describe('the web app at /', () => {
    it('serves index.html for an app path such as /actions/123, with no-store and security headers', async () => {
      const response = await fetch(`${base}/actions/123`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).toContain('<div id="root">');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('serves hashed assets with immutable caching', async () => {
      const response = await fetch(`${base}/assets/index-Ab12Cd34.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(await response.text()).toBe('console.log("app");');
    });

    it('sends text assets gzip-compressed to a browser that accepts it', async () => {
      const response = await fetch(`${base}/assets/vendor-Zz99Yy88.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(Number(response.headers.get('content-length'))).toBeLessThan(BIG_BUNDLE.length / 2);
      expect(await response.text()).toBe(BIG_BUNDLE);
    });

    it('serves /index.html itself like any app path', async () => {
      const response = await fetch(`${base}/index.html`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('serves a rebuilt index.html without a restart (the page is read once per build, not per load)', async () => {
      const before = await (await fetch(`${base}/actions/1`)).text();
      expect(before).toContain('index-Ab12Cd34.js');
      const rebuilt = '<!doctype html><title>Countersign</title><div id="root"></div><script type="module" src="/assets/index-Ef56Gh78.js"></script>';
      await writeFile(path.join(webDir, 'index.html'), rebuilt);
      const after = await (await fetch(`${base}/actions/1`)).text();
      expect(after).toBe(rebuilt);
    });

    it('answers 404 for a missing asset instead of the page', async () => {
      const response = await fetch(`${base}/assets/gone-12345678.js`);
      expect(response.status).toBe(404);
    });

    it('never serves the app for the API paths', async () => {
      const graphql = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(graphql.headers.get('content-type')).toMatch(/json/);
      expect(((await graphql.json()) as { data: unknown }).data).toEqual({ __typename: 'Query' });
      for (const p of ['/healthz', '/auth/nothing', '/.well-known/nothing']) {
        const response = await fetch(`${base}${p}`);
        expect(response.headers.get('content-type'), p).toMatch(/json/);
      }
      expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toMatch(/text\/plain/);
    });

    it('does not serve files outside its folder', async () => {
      const response = await fetch(`${base}/..%2f..%2fpackage.json`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('"name"');
    });
  });
});

describe('web app sessions: limits in time, https and a missing build', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    stack = await startStack();
    // A second instance on the same database with tiny limits, behind an https public URL.
    server = await startServer({
      database: stack.database,
      adminToken: stack.adminToken,
      env: {
        COUNTERSIGN_SESSION_IDLE_TIMEOUT: '2',
        COUNTERSIGN_SESSION_MAX_AGE: '4',
        COUNTERSIGN_PUBLIC_URL: 'https://countersign.example.com',
        COUNTERSIGN_WEB_DIR: path.join(tmpdir(), 'countersign-no-such-build'),
      },
    });
    base = new URL(server.url).origin;
  });
  afterAll(async () => {
    await server?.dispose();
    await stack?.dispose();
  });

  it('marks the cookie Secure when the public URL is https, and accepts requests from that origin', async () => {
    const approver = await createApprover(stack, 'secure-ana', ['finance']);
    const session = await signIn(base, approver.token, { origin: 'https://countersign.example.com' });
    expect(session.status).toBe(200);
    expect(session.setCookie!.split(';').map((a) => a.trim())).toContain('Secure');
    const http = await cookieGql(base, session.cookie!, ME, {}, { origin: 'https://countersign.example.com' });
    expect(http.body.data.me.name).toBe('secure-ana');
  });

  it('ends a session left unused for the idle time', async () => {
    const approver = await createApprover(stack, 'idle-ben', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    expect((await cookieGql(base, cookie!, ME)).status).toBe(200);
    // Wait, by the database's clock, until the session has not been used for its idle time.
    await waitFor(
      async () => {
        const [row] = await stack.database.query<{ idle: boolean }>(`select now() - last_seen_at > interval '2 seconds' as idle from web_session where principal_id = $1`, [approver.id]);
        return row!.idle;
      },
      { what: 'the session to be idle for 2 s', intervalMs: 200 },
    );
    const after = await cookieGql(base, cookie!, ME);
    expect(after.status).toBe(401);
    const [row] = await stack.database.query<{ end_reason: string }>('select end_reason from web_session where principal_id = $1', [approver.id]);
    expect(row!.end_reason).toBe('IDLE');
  });

  it('ends a session at its absolute end even while it is in use', async () => {
    const approver = await createApprover(stack, 'busy-cleo', ['finance']);
    const { cookie } = await signIn(base, approver.token);
    // Used every 200 ms (never idle), it still ends after its 4 s.
    await waitFor(async () => (await cookieGql(base, cookie!, ME)).status === 401, { what: 'the session to reach its absolute end', intervalMs: 200 });
    const [row] = await stack.database.query<{ end_reason: string }>('select end_reason from web_session where principal_id = $1', [approver.id]);
    expect(row!.end_reason).toBe('EXPIRED');
  });

  it('answers / with how to build the web app when it is not built', async () => {
    const response = await fetch(`${base}/`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('pnpm --filter @countersign/web build');
  });
});
