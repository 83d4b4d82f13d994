import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import type { Services } from '../services.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Principal } from './principal.js';
import { SESSION_COOKIE, readCookie, sessionCookie } from './session-rules.js';
import { cameOverHttps, requestFromOwnOrigin } from './origin.js';
import { authenticateSessionCookie, providerIdToken, signIn, signOut } from './sessions.js';
import type { OidcClient } from './oidc-client.js';

/** A token is well under this; anything bigger is not one. */
const jsonBody = bodyParser.json({ limit: '4kb' });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { error: { code, message } }, headers);
}

const STATUS: Partial<Record<ErrorCode, number>> = { [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.BAD_USER_INPUT]: 400 };

function principalBody(principal: Principal) {
  return { principal: { kind: principal.kind, id: principal.id, name: principal.name } };
}

/**
 * `/auth/session`: POST `{ token }` signs in (sets the cookie), GET tells who is signed in,
 * DELETE signs out. Sign-in and sign-out must come from the server's own pages (Origin),
 * so another site can neither sign a visitor in to its own account nor out.
 */
export function sessionRoutes(services: Services, oidc: OidcClient | null = null) {
  const { config, logger } = services;
  const clearCookie = (req: IncomingMessage) => sessionCookie('', { secure: cameOverHttps(req, config.publicUrl), maxAgeSeconds: 0 });

  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse): void => {
    const fail = (error: unknown) => {
      if (error instanceof AppError) {
        sendError(res, STATUS[error.code] ?? 400, error.code, error.message);
        return;
      }
      logger.error({ err: error }, 'session request failed');
      if (!res.headersSent) sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
      else res.end();
    };
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !requestFromOwnOrigin(req, config.publicUrl)) {
      sendError(res, 403, ErrorCode.FORBIDDEN, 'Cross-origin requests may not sign in or out.');
      return;
    }
    switch (method) {
      case 'POST':
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
          sendError(res, 415, ErrorCode.BAD_USER_INPUT, 'Send the token as JSON: {"token": "…"} with content-type application/json.');
          return;
        }
        jsonBody(req, res, (parseError?: unknown) => {
          if (parseError) {
            sendError(res, (parseError as { status?: number }).status ?? 400, ErrorCode.BAD_USER_INPUT, 'The request body is not valid JSON.');
            return;
          }
          const token = (req.body as { token?: unknown } | undefined)?.token;
          if (typeof token !== 'string' || token.trim() === '') {
            sendError(res, 400, ErrorCode.BAD_USER_INPUT, 'Send the token as {"token": "…"}.');
            return;
          }
          const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
          signIn(services, token.trim())
            .then(async ({ secret, credential }) => {
              // Signing in again (perhaps as someone else) ends the session this browser had.
              if (previous) await signOut(services, previous);
              const cookie = sessionCookie(secret, { secure: cameOverHttps(req, config.publicUrl), maxAgeSeconds: config.sessions.maxAgeSeconds });
              send(res, 200, principalBody(credential.principal), { 'set-cookie': cookie });
            })
            .catch(fail);
        });
        return;
      case 'GET':
      case 'HEAD':
        authenticateSessionCookie(services, req)
          .then((credential) => {
            if (credential) send(res, 200, principalBody(credential.principal));
            else sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'Not signed in, or the session has ended.', readCookie(req.headers.cookie, SESSION_COOKIE) ? { 'set-cookie': clearCookie(req) } : {});
          })
          .catch(fail);
        return;
      case 'DELETE': {
        const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
        (secret ? signOut(services, secret) : Promise.resolve(null))
          .then(async (ended) => {
            // A session single sign-on opened: the browser goes on to sign out at the provider too.
            const idToken = ended && oidc ? await providerIdToken(services, ended.sessionId) : null;
            const logoutUrl = idToken && oidc ? await oidc.logoutUrl(idToken) : null;
            if (logoutUrl) send(res, 200, { logoutUrl }, { 'set-cookie': clearCookie(req) });
            else {
              res.writeHead(204, { 'set-cookie': clearCookie(req), 'cache-control': 'no-store' });
              res.end();
            }
          })
          .catch(fail);
        return;
      }
      default:
        sendError(res, 405, ErrorCode.BAD_USER_INPUT, `${method} is not allowed on /auth/session (POST signs in, GET tells who is signed in, DELETE signs out).`, { allow: 'GET, HEAD, POST, DELETE' });
    }
  };
}
