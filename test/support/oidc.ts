import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from './process.js';
import { startStack } from './server.js';

/**
 * A real OpenID provider (panva's `oidc-provider`) run in the test process, for single
 * sign-on (DESIGN §14). People sign in at its development login form with their email as
 * the login (any password); the account's claims are that email, verified unless listed
 * in `unverified`. Consent is given at once, as an organisation's own provider does for
 * its own applications.
 */
export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * `emailInIdToken`: the ID token carries the email claims too (some providers do); by
 * default they come only from the userinfo endpoint, as OpenID Connect has it for the code flow.
 */
export async function startIdentityProvider(options: { redirectUri: string; port?: number; unverified?: string[]; emailInIdToken?: boolean }): Promise<TestIdentityProvider> {
  const port = options.port ?? (await freePort());
  // 127.0.0.1 while the app is opened at localhost: the provider is another site, as in life.
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'countersign-test';
  const clientSecret = 'countersign-test-secret-0123456789abcdef';
  const unverified = new Set(options.unverified ?? []);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        // RP-initiated logout brings the browser back to the web app's sign-in page.
        post_logout_redirect_uris: [new URL('/', options.redirectUri).href],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { email: ['email', 'email_verified'] },
    cookies: { keys: ['countersign-test-provider-cookie-key'] },
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, email: id, email_verified: !unverified.has(id) }) };
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client!;
      const session = ctx.oidc.session!;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
      grant.addOIDCScope('openid email');
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    features: { devInteractions: { enabled: true } },
    conformIdTokenClaims: !options.emailInIdToken,
    jwks: { keys: [{ ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), kid: 'test', alg: 'RS256', use: 'sig' }] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    clientId,
    clientSecret,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `Cookie` header of a jar (one value per name; paths are not told apart, which these flows do not need). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
}

export interface SsoResult {
  /** Where the server sent the browser at the end (a path, with `?sso_error=` when refused). */
  location: string;
  /** `cs_session=<secret>` when a session was opened. */
  sessionCookie: string | null;
  jar: CookieJar;
}

/**
 * Signs in by single sign-on as a browser would, without one: the server's start, the
 * provider's login form (with `email`, or cancelled), the redirect back, the callback.
 * `tamper` may change the callback's query before it is sent (a forged state, say).
 */
export async function ssoSignIn(base: string, email: string, options: { next?: string; tamper?: (query: URLSearchParams) => void; jar?: CookieJar; cancel?: boolean } = {}): Promise<SsoResult> {
  const jar = options.jar ?? new CookieJar();
  const get = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response);
    return response;
  };
  let response = await get(`${base}/auth/oidc/start${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`);
  if (response.status !== 303) throw new Error(`/auth/oidc/start answered ${response.status}: ${await response.text()}`);
  let url = new URL(response.headers.get('location')!);
  // At the provider until it sends the browser back to the server's callback.
  for (let hops = 0; url.origin !== new URL(base).origin; hops++) {
    if (hops > 10) throw new Error('too many redirects at the provider');
    response = await get(url.href);
    if (response.status === 200 && /name="login"/.test(await response.clone().text())) {
      if (options.cancel) {
        // The login page's "Cancel": the provider answers the client with access_denied.
        response = await get(`${url.href}/abort`);
        url = new URL(response.headers.get('location')!, url);
        continue;
      }
      const form = new URLSearchParams({ prompt: 'login', login: email, password: 'any' });
      response = await get(url.href, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${(await response.text()).slice(0, 500)}`);
    url = new URL(location, url);
  }
  options.tamper?.(url.searchParams);
  response = await get(url.href);
  await response.arrayBuffer();
  const session = jar.get('cs_session');
  return { location: response.headers.get('location') ?? '', sessionCookie: session ? `cs_session=${session}` : null, jar };
}

export type { CookieJar };

/**
 * A database, a Countersign server with single sign-on and its provider. The server's
 * port is chosen first: its public URL makes the redirect URI the provider must know.
 * `host` is what the public URL names (the browser tests open `localhost`, another site
 * than the provider's 127.0.0.1).
 */
export async function startSsoStack(options: { env?: Record<string, string>; unverified?: string[]; host?: string } = {}) {
  const port = await freePort();
  const publicUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const idp = await startIdentityProvider({ redirectUri: `${publicUrl}/auth/oidc/callback`, unverified: options.unverified });
  try {
    const stack = await startStack({
      PORT: String(port),
      COUNTERSIGN_PUBLIC_URL: publicUrl,
      COUNTERSIGN_OIDC_ISSUER: idp.issuer,
      COUNTERSIGN_OIDC_CLIENT_ID: idp.clientId,
      COUNTERSIGN_OIDC_CLIENT_SECRET: idp.clientSecret,
      ...options.env,
    });
    return {
      ...stack,
      idp,
      publicUrl,
      async dispose() {
        await stack.dispose();
        await idp.close();
      },
    };
  } catch (error) {
    await idp.close();
    throw error;
  }
}
