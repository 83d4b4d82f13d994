/**
 * The deciding parts of web sessions (DESIGN §10 sign-in), as plain functions: whether a
 * stored session still stands, when its last use is worth writing down, the cookie's
 * text, and whether a browser request comes from the server's own pages.
 */

/** The cookie that carries a session's secret. */
export const SESSION_COOKIE = 'cs_session';

/** Why a session is over (stored as `end_reason` and recorded in the audit log). */
export enum SessionEnd {
  SIGNED_OUT = 'SIGNED_OUT',
  IDLE = 'IDLE',
  EXPIRED = 'EXPIRED',
  /** The token it was opened with was rotated or revoked, or the approver deactivated. */
  CREDENTIAL_REVOKED = 'CREDENTIAL_REVOKED',
  /** The person opened more sessions than allowed; the least recently used ones end. */
  REPLACED = 'REPLACED',
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
  /** Whether the credential the session was opened with is still valid. */
  credentialValid: boolean;
}

export interface SessionLimits {
  idleSeconds: number;
  maxAgeSeconds: number;
}

/** Null while the session stands; otherwise why it is over. Revocation wins over time. */
export function sessionEndReason(session: SessionTimes, now: Date, limits: SessionLimits): SessionEnd | null {
  if (!session.credentialValid) return SessionEnd.CREDENTIAL_REVOKED;
  if (now.getTime() >= session.expiresAt.getTime()) return SessionEnd.EXPIRED;
  if (now.getTime() - session.lastSeenAt.getTime() >= limits.idleSeconds * 1000) return SessionEnd.IDLE;
  return null;
}

/**
 * Whether to record a use of the session now. Writing on every request would cost a write
 * per request; a session used within the last minute (or the last quarter of its idle
 * time, when that is shorter) is not about to go idle.
 */
export function shouldTouch(lastSeenAt: Date, now: Date, idleSeconds: number): boolean {
  return now.getTime() - lastSeenAt.getTime() >= Math.min(60_000, (idleSeconds * 1000) / 4);
}

/** The value of one cookie in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value === '' ? null : value;
  }
  return null;
}

/**
 * The `Set-Cookie` value of a session: HttpOnly (no script reads it), SameSite=Lax (a link
 * from a mail or Slack opens signed in; a cross-site POST does not carry it), Secure over
 * https. `maxAgeSeconds` 0 clears it.
 */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${options.maxAgeSeconds}`];
  if (options.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The headers of a request that bear on where it comes from. */
export interface OriginHeaders {
  origin?: string;
  host?: string;
  'sec-fetch-site'?: string;
}

/**
 * Whether a browser request comes from the server's own pages: its `Origin` must be the
 * public URL's origin or the origin the request was addressed to (its `Host`). Without an
 * `Origin` it is not a cross-site browser request — browsers send one on every cross-origin
 * request and on every same-origin POST — unless `Sec-Fetch-Site` says it is.
 */
export function isSameOrigin(headers: OriginHeaders, options: { publicUrl: string | null; secure: boolean }): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  const allowed = new Set<string>();
  if (options.publicUrl) allowed.add(new URL(options.publicUrl).origin);
  if (headers.host) {
    allowed.add(`${options.secure ? 'https' : 'http'}://${headers.host}`.toLowerCase());
  }
  return allowed.has(origin.toLowerCase());
}
