import DataLoader from 'dataloader';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Services } from '../services.js';
import { rawTransaction, type SqlExecutor } from '../db/sql.js';
import { appendAudit } from '../audit/audit.service.js';
import { AppError } from '../errors.js';
import { PrincipalKind } from '../shared/enums.js';
import { authenticate, type Principal } from './principal.js';
import { SESSION_COOKIE, SessionEnd, readCookie, sessionEndReason, shouldTouch } from './session-rules.js';
import { ssoAdminOfSession } from './oidc-rules.js';

/**
 * Web app sessions (DESIGN §10 sign-in). A token is exchanged once for a random secret
 * carried by an HttpOnly cookie; the server keeps only the secret's keyed hash, with the
 * hash of the token it came from. Every use checks the session against its idle and
 * absolute limits and its credential (the approver still active with that token, the admin
 * token not revoked, the bootstrap token unchanged), so an ended credential ends its
 * sessions at the next request; sockets close through the event bus.
 */

/** A web session that authenticates a request or a socket. */
export interface SessionCredential {
  /** The session's id (not its secret): what `sessionEnded` events name. */
  sessionId: string;
  principal: Principal;
}

/** 32 random bytes, base64url: what the cookie carries. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function auditActor(principal: Principal | null): { actorType: string; actorId: string | null } {
  return principal ? { actorType: principal.kind, actorId: principal.id } : { actorType: 'SYSTEM', actorId: null };
}

/**
 * Opens a session for the holder of `token` (an approver's or admin's; agents are refused:
 * the web app is for people). Past the per-person limit, the least recently used sessions
 * end. Returns the secret for the cookie; it is not stored.
 */
export async function signIn(services: Services, token: string): Promise<OpenedSession> {
  const principal = await authenticate(services.sql, services.hasher, services.config.bootstrapToken, token);
  if (!principal) throw AppError.unauthenticated('A token is required to sign in.');
  if (principal.kind === PrincipalKind.AGENT) {
    throw AppError.forbidden('Agent keys cannot sign in to the web app: it is for approvers and admins. Sign in with an approver or admin token.');
  }
  return openSession(services, principal, services.hasher.hash(token), 'TOKEN');
}

export interface OpenedSession {
  /** What the cookie carries; not stored. */
  secret: string;
  credential: SessionCredential;
  expiresAt: Date;
}

/**
 * Opens a session for a person already authenticated (by token, or by single sign-on with
 * the approver's current token hash as `credentialHash`, so that deactivation or rotation
 * ends it alike). `method` and `detail` are recorded in the audit log.
 */
export async function openSession(
  services: Services,
  principal: Extract<Principal, { kind: PrincipalKind.APPROVER | PrincipalKind.ADMIN }>,
  credentialHash: string,
  method: string,
  detail: Record<string, unknown> = {},
  /** Single sign-on: the provider's ID token, kept sealed for signing out there too (see {@link providerIdToken}). */
  idToken: string | null = null,
): Promise<OpenedSession> {
  const secret = randomBytes(32).toString('base64url');
  const sessionId = randomUUID();
  const { maxAgeSeconds, perPrincipal } = services.config.sessions;
  const { expiresAt, replaced } = await rawTransaction(services.orm, async (sql) => {
    // One sign-in at a time per person, so that concurrent ones cannot exceed the limit.
    await sql.execute('select pg_advisory_xact_lock(hashtext(?))', [`web_session:${principal.kind}:${principal.id ?? 'bootstrap'}`]);
    // Sessions that ended long ago are of no more use (the audit log keeps their story).
    await sql.execute(
      `delete from "web_session" where "principal_kind" = ? and "principal_id" is not distinct from ?::uuid and "ended_at" < now() - interval '30 days'`,
      [principal.kind, principal.id],
    );
    const ended = await sql.execute<{ id: string }[]>(
      `update "web_session" set "ended_at" = now(), "end_reason" = ?
        where "id" in (select "id" from "web_session"
                        where "principal_kind" = ? and "principal_id" is not distinct from ?::uuid and "ended_at" is null
                        order by "last_seen_at" desc offset ?)
        returning "id"`,
      [SessionEnd.REPLACED, principal.kind, principal.id, perPrincipal - 1],
    );
    const [row] = await sql.execute<{ expires_at: Date | string }[]>(
      `insert into "web_session" ("id", "secret_hash", "principal_kind", "principal_id", "credential_hash", "id_token", "created_at", "last_seen_at", "expires_at")
       values (?, ?, ?, ?, ?, ?, now(), now(), now() + make_interval(secs => ?)) returning "expires_at"`,
      [sessionId, services.hasher.hash(secret), principal.kind, principal.id, credentialHash, idToken === null ? null : services.secrets.seal(idToken, ID_TOKEN_CONTEXT), maxAgeSeconds],
    );
    await appendAudit(sql, [
      { kind: 'SESSION_STARTED', subjectType: 'SESSION', subjectId: sessionId, ...auditActor(principal), data: { method, ...detail, replaced: ended.map((e) => e.id) } },
      ...ended.map((e) => ({ kind: 'SESSION_ENDED', subjectType: 'SESSION', subjectId: e.id, ...auditActor(principal), data: { reason: SessionEnd.REPLACED } })),
    ]);
    return { expiresAt: new Date(row!.expires_at), replaced: ended.map((e) => e.id) };
  });
  for (const id of replaced) await services.events.sessionEnded(services.sql, id);
  return { secret, credential: { sessionId, principal }, expiresAt };
}

/**
 * Sessions looked up in the same tick go to the database together: a sweep that rechecks
 * ten thousand open pages' sockets is one statement, not ten thousand (bearer sockets are
 * batched alike, credentials.ts `PrincipalLookup`). Each is a probe of a unique index with
 * the credential's current state beside it. One loader per server instance, no caching.
 */
const loaders = new WeakMap<Services, DataLoader<string, SessionRow | null>>();

function sessionRows(services: Services): DataLoader<string, SessionRow | null> {
  let loader = loaders.get(services);
  if (!loader) {
    loader = new DataLoader<string, SessionRow | null>(
      async (hashes) => {
        const rows = await services.sql.execute<(SessionRow & { secret_hash: string })[]>(
          `select s."id", s."secret_hash", s."principal_kind", s."principal_id", s."credential_hash", s."last_seen_at", s."expires_at", now() as "now",
                  a."name" as "approver_name", a."roles" as "approver_roles", t."name" as "admin_name"
             from "web_session" s
             left join "approver" a on s."principal_kind" = 'APPROVER' and a."id" = s."principal_id" and a."token_hash" = s."credential_hash" and a."active"
             left join "admin_token" t on s."principal_kind" = 'ADMIN' and t."id" = s."principal_id" and t."token_hash" = s."credential_hash" and t."revoked_at" is null
            where s."secret_hash" = any(?::text[]) and s."ended_at" is null`,
          [[...hashes]],
        );
        const byHash = new Map(rows.map((row) => [row.secret_hash, row]));
        return hashes.map((hash) => byHash.get(hash) ?? null);
      },
      { cache: false, maxBatchSize: 5000 },
    );
    loaders.set(services, loader);
  }
  return loader;
}

interface SessionRow {
  id: string;
  principal_kind: PrincipalKind.APPROVER | PrincipalKind.ADMIN;
  principal_id: string | null;
  credential_hash: string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  now: Date | string;
  approver_name: string | null;
  approver_roles: string[] | null;
  admin_name: string | null;
}

/** How a session is looked up. */
export interface SessionCheck {
  /**
   * Whether this counts as a use that keeps the session from going idle (default true).
   * A re-check of an open socket passes false: a page left open is not a person using it.
   */
  touch?: boolean;
}

/**
 * The session a cookie's secret opens, or null (unknown, ended, expired, or its
 * credential no longer valid: such a session is ended now, so it stays ended).
 */
export async function authenticateSession(services: Services, secret: string, check: SessionCheck = {}): Promise<SessionCredential | null> {
  if (!SECRET_PATTERN.test(secret)) return null;
  const row = await sessionRows(services).load(services.hasher.hash(secret));
  if (!row) return null;
  const principal = principalOf(services, row);
  const now = new Date(row.now);
  const lastSeenAt = new Date(row.last_seen_at);
  const reason = sessionEndReason({ lastSeenAt, expiresAt: new Date(row.expires_at), credentialValid: principal !== null }, now, services.config.sessions);
  if (reason !== null) {
    await endSessions(services, [row.id], reason, null);
    return null;
  }
  if (check.touch !== false && shouldTouch(lastSeenAt, now, services.config.sessions.idleSeconds)) {
    await services.sql.execute('update "web_session" set "last_seen_at" = now() where "id" = ? and "ended_at" is null', [row.id]);
  }
  return { sessionId: row.id, principal: principal! };
}

function principalOf(services: Services, row: SessionRow): Principal | null {
  if (row.principal_kind === PrincipalKind.APPROVER) {
    return row.approver_name === null ? null : { kind: PrincipalKind.APPROVER, id: row.principal_id!, name: row.approver_name, roles: row.approver_roles ?? [] };
  }
  if (row.principal_id !== null) {
    if (row.admin_name !== null) return { kind: PrincipalKind.ADMIN, id: row.principal_id, name: row.admin_name };
    // No admin token: an admin signed in by single sign-on, valid while their email is listed.
    const admins = services.config.oidc?.admins ?? [];
    return admins.length === 0 ? null : ssoAdminOfSession(admins, (c) => services.hasher.hash(c), row.principal_id, row.credential_hash);
  }
  const bootstrap = services.config.bootstrapToken;
  return bootstrap !== null && services.hasher.hashMatches(row.credential_hash, bootstrap) ? { kind: PrincipalKind.ADMIN, id: null, name: 'bootstrap' } : null;
}

/**
 * The session of a request's `cs_session` cookie (HTTP request or WebSocket upgrade), or
 * null. Calling it again with the same upgrade request re-checks a socket's session
 * (`{ touch: false }`).
 */
export async function authenticateSessionCookie(services: Services, request: Pick<IncomingMessage, 'headers'>, check: SessionCheck = {}): Promise<SessionCredential | null> {
  const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
  return secret === null ? null : authenticateSession(services, secret, check);
}

/** The event-bus topic of a web session (what a socket it authenticated listens for). */
export function sessionTopic(sessionId: string): string {
  return `SESSION:${sessionId}`;
}

/**
 * A WebSocket's credential from the session cookie of its upgrade request: undefined when
 * there is no cookie, UNAUTHENTICATED when the session is over. `recheck` looks the
 * session up again (an open page is not a use: it does not keep the session from going
 * idle) and answers null once it has ended; `topics` name the session, whose end is
 * announced on the event bus (EventBus.onSessionEnded).
 */
export async function sessionCredential(
  services: Services,
  request: Pick<IncomingMessage, 'headers'>,
): Promise<(SessionCredential & { topics: string[]; recheck(): Promise<Principal | null> }) | undefined> {
  if (!hasSessionCookie(request)) return undefined;
  const session = await authenticateSessionCookie(services, request);
  if (!session) throw AppError.unauthenticated('Your session has ended (signed out, expired or revoked): sign in again.');
  return {
    ...session,
    topics: [sessionTopic(session.sessionId)],
    recheck: async () => (await authenticateSessionCookie(services, request, { touch: false }))?.principal ?? null,
  };
}

/** Whether the request carries a session cookie at all (valid or not). */
export function hasSessionCookie(request: Pick<IncomingMessage, 'headers'>): boolean {
  return readCookie(request.headers.cookie, SESSION_COOKIE) !== null;
}

/** Where a session's ID token may be opened (SecretBox context): nowhere else. */
const ID_TOKEN_CONTEXT = 'oidc_id_token';

/** The provider's ID token a single sign-on session was opened with (for signing out there too), or null. */
export async function providerIdToken(services: Services, sessionId: string): Promise<string | null> {
  const [row] = await services.sql.execute<{ id_token: string | null }[]>('select "id_token" from "web_session" where "id" = ?', [sessionId]);
  if (!row?.id_token) return null;
  try {
    return services.secrets.open(row.id_token, ID_TOKEN_CONTEXT);
  } catch {
    return null;
  }
}

/** Signs out: ends the cookie's session at once (its sockets close too). Unknown or ended secrets are ignored. */
export async function signOut(services: Services, secret: string): Promise<SessionCredential | null> {
  const credential = await authenticateSession(services, secret, { touch: false });
  if (credential) await endSessions(services, [credential.sessionId], SessionEnd.SIGNED_OUT, credential.principal);
  return credential;
}

/**
 * Ends every open session of an approver or admin token (e.g. when the approver is
 * deactivated, or their token rotated): requests with those cookies would be refused
 * anyway; this closes their sockets now and records why.
 */
export async function endSessionsOf(services: Services, kind: PrincipalKind.APPROVER | PrincipalKind.ADMIN, id: string, reason: SessionEnd, by: Principal | null): Promise<void> {
  const rows = await services.sql.execute<{ id: string }[]>('select "id" from "web_session" where "principal_kind" = ? and "principal_id" = ? and "ended_at" is null', [kind, id]);
  await endSessions(services, rows.map((r) => r.id), reason, by);
}

/** Ends sessions still open, records each once in the audit log, and tells every instance. */
async function endSessions(services: Services, ids: string[], reason: SessionEnd, by: Principal | null): Promise<void> {
  if (ids.length === 0) return;
  const ended = await rawTransaction(services.orm, async (sql: SqlExecutor) => {
    const rows = await sql.execute<{ id: string; principal_kind: string; principal_id: string | null }[]>(
      `update "web_session" set "ended_at" = now(), "end_reason" = ? where "id" = any(?::uuid[]) and "ended_at" is null returning "id", "principal_kind", "principal_id"`,
      [reason, ids],
    );
    await appendAudit(
      sql,
      rows.map((r) => ({ kind: 'SESSION_ENDED', subjectType: 'SESSION', subjectId: r.id, ...auditActor(by), data: { reason, principalKind: r.principal_kind, principalId: r.principal_id } })),
    );
    return rows.map((r) => r.id);
  });
  for (const id of ended) await services.events.sessionEnded(services.sql, id);
}
