import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.js';
import { ErrorCode } from '../errors.js';
import { RETRY_AFTER_SECONDS } from '../db/faults.js';
import { OidcClient } from './oidc-client.js';
import { LOGIN_COOKIE, LOGIN_TTL_SECONDS, SsoError, SsoRefusal, loginCookie, refusalLocation, safeNextPath } from './oidc-rules.js';
import { SESSION_COOKIE, readCookie, sessionCookie } from './session-rules.js';
import { cameOverHttps } from './origin.js';
import { signOut } from './sessions.js';
import { recordSsoRefusal, signInWithSso } from './sso.js';

/** The relying party of this server, or null without single sign-on. */
export function oidcClientFor(services: Services): OidcClient | null {
  const { config, logger } = services;
  // The public URL is required with single sign-on (config.ts); app.ts fills it before requests arrive.
  return config.oidc ? new OidcClient(config.oidc, `${config.publicUrl ?? ''}/auth/oidc/callback`, services.secrets, logger) : null;
}

/** The paths this module answers. */
export const OIDC_PATHS = ['/auth/config', '/auth/oidc/start', '/auth/oidc/callback'] as const;

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, location: string, cookies: string[]): void {
  res.writeHead(303, { location, 'set-cookie': cookies, ...NO_STORE });
  res.end();
}

/**
 * Single sign-on (DESIGN §14), beside `/auth/session`:
 * - `GET /auth/config` → `{ sso }`: whether the sign-in page offers "Sign in with SSO" (no secrets).
 * - `GET /auth/oidc/start?next=/actions/<id>` → the provider, with a short-lived sealed
 *   cookie holding the sign-in's state, nonce and PKCE verifier; 503 while the provider
 *   cannot be reached (the server itself starts and runs without it).
 * - `GET /auth/oidc/callback` → the same session cookie as a token sign-in, and back to
 *   `next`; or back to the sign-in page with `?sso_error=<refusal>`, recorded in the
 *   audit log (SESSION_REFUSED) and never with a session.
 */
export function oidcRoutes(services: Services, client: OidcClient | null) {
  const { config, logger } = services;

  const start = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    if (!client) {
      sendJson(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'Single sign-on is not configured on this server: sign in with a token.' } });
      return;
    }
    const secure = cameOverHttps(req, config.publicUrl);
    let begun;
    try {
      begun = await client.begin(safeNextPath(query.get('next')));
    } catch (error) {
      if (!(error instanceof SsoError)) throw error;
      unavailable(req, res);
      return;
    }
    redirect(res, begun.url.href, [loginCookie(begun.sealed, { secure, maxAgeSeconds: LOGIN_TTL_SECONDS })]);
  };

  const callback = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    if (!client) {
      sendJson(res, 404, { error: { code: ErrorCode.NOT_FOUND, message: 'Single sign-on is not configured on this server.' } });
      return;
    }
    const secure = cameOverHttps(req, config.publicUrl);
    // The sign-in cookie is good for one callback, whatever comes of it.
    const cleared = loginCookie('', { secure, maxAgeSeconds: 0 });
    const refuse = async (refusal: SsoRefusal, next: string, why: string, email: string | null) => {
      // A provider's error description comes through the browser: bounded before it is kept.
      const reason = why.length > 300 ? `${why.slice(0, 300)}…` : why;
      logger.info({ refusal, reason }, 'single sign-on refused');
      await recordSsoRefusal(services, refusal, { email, reason });
      redirect(res, refusalLocation(next, refusal), [cleared]);
    };
    const login = client.openLogin(readCookie(req.headers.cookie, LOGIN_COOKIE));
    if (!login) {
      await refuse(SsoRefusal.FAILED, '/', 'no sign-in in progress in this browser (its cookie is absent, altered or expired)', null);
      return;
    }
    let opened;
    try {
      opened = await signInWithSso(services, await client.complete(query, login));
    } catch (error) {
      if (!(error instanceof SsoError)) throw error;
      await refuse(error.refusal, login.next, error.message, error.email);
      return;
    }
    // Signing in (perhaps as someone else) ends the session this browser had, as a token sign-in does.
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (previous) await signOut(services, previous);
    redirect(res, login.next, [cleared, sessionCookie(opened.secret, { secure, maxAgeSeconds: config.sessions.maxAgeSeconds })]);
  };

  return async (req: IncomingMessage, res: ServerResponse, path: (typeof OIDC_PATHS)[number]): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { error: { code: ErrorCode.BAD_USER_INPUT, message: `${method} is not allowed on ${path}: it is a GET.` } }, { allow: 'GET, HEAD' });
      return;
    }
    const query = new URL(req.url ?? '/', 'http://countersign.invalid').searchParams;
    switch (path) {
      case '/auth/config':
        sendJson(res, 200, { sso: client !== null });
        return;
      case '/auth/oidc/start':
        return start(req, res, query);
      case '/auth/oidc/callback':
        return callback(req, res, query);
    }
  };
}

/** 503 while the provider cannot be reached: a short page for a browser, JSON for anything else. */
function unavailable(req: IncomingMessage, res: ServerResponse): void {
  const message = 'The single sign-on provider cannot be reached right now. Try again in a moment, or sign in with a token.';
  const headers = { 'retry-after': String(RETRY_AFTER_SECONDS), ...NO_STORE };
  if (/\btext\/html\b/.test(req.headers.accept ?? '')) {
    res.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Single sign-on unavailable</title>` +
        `<main style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem"><h1>Single sign-on is unavailable</h1><p>${message}</p><p><a href="/">Back to sign-in</a></p></main></html>`,
    );
    return;
  }
  sendJson(res, 503, { error: { code: ErrorCode.UNAVAILABLE, message } }, headers);
}
