import { createHash } from 'node:crypto';
import { PrincipalKind } from '../shared/enums.js';
import type { Principal } from './principal.js';

/**
 * The deciding parts of single sign-on (DESIGN §14), as plain functions: where a sign-in
 * may return to, who a provider's answer is, how a refusal is told to the sign-in page,
 * and the identity of an admin who signs in by email.
 */

/** The short-lived cookie that carries one sign-in's state, nonce and PKCE verifier (sealed) from start to callback. */
export const LOGIN_COOKIE = 'cs_oidc';
/** Only the two SSO endpoints need it. */
export const LOGIN_COOKIE_PATH = '/auth/oidc';
/** How long a person may take at the provider before the sign-in must start over. */
export const LOGIN_TTL_SECONDS = 600;

/** Why a single sign-on did not open a session; the sign-in page shows a message for each (`?sso_error=`). */
export enum SsoRefusal {
  /** The verified email is no active approver's and no listed admin's. */
  NOT_AUTHORIZED = 'not_authorized',
  /** The provider did not say the email is verified (or sent none). */
  EMAIL_UNVERIFIED = 'email_unverified',
  /** More than one active approver has that email: which one is meant cannot be told. */
  AMBIGUOUS = 'ambiguous',
  /** The person cancelled at the provider (access_denied). */
  CANCELLED = 'cancelled',
  /** No or a stale sign-in cookie, a state or nonce that does not match, a provider error. */
  FAILED = 'failed',
  /** The provider could not be reached. */
  UNAVAILABLE = 'unavailable',
}

/** A single sign-on that opened no session; `refusal` is what the sign-in page is told, `email` what the provider sent (for the audit log). */
export class SsoError extends Error {
  readonly email: string | null;

  constructor(
    readonly refusal: SsoRefusal,
    message: string,
    options: { cause?: unknown; email?: string | null } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SsoError';
    this.email = options.email ?? null;
  }
}

/** What the start of a sign-in hands to its callback, sealed in {@link LOGIN_COOKIE}. */
export interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to land once signed in (a path of this site). */
  next: string;
  /** Epoch milliseconds after which the callback refuses it. */
  expiresAt: number;
}

/**
 * The path to land on after signing in: a path of this site only (`/actions/<id>` from a
 * notification), never another origin (`//evil.example`, `/\evil.example`, `https:…`), never
 * an `/auth/` endpoint; anything else is `/`.
 */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/';
  // Control characters (tab, newline) are dropped by URL parsers and could rebuild `//`.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return '/';
  const base = 'http://countersign.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) return '/';
  return url.pathname + url.search;
}

/** `next` with `sso_error=<refusal>` added: the page the person wanted, which shows the sign-in form with why. */
export function refusalLocation(next: string, refusal: SsoRefusal): string {
  const url = new URL(safeNextPath(next), 'http://countersign.invalid');
  url.searchParams.delete('sso_error');
  url.searchParams.set('sso_error', refusal);
  return url.pathname + url.search;
}

/** Emails compare without case and surrounding spaces (the domain part is case-insensitive, and providers differ on the rest). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The identity claims the provider sent, from the ID token or its userinfo endpoint. */
export interface IdentityClaims {
  email?: unknown;
  email_verified?: unknown;
}

/** The verified email of an answer, or why there is none. Only `email_verified: true` counts (not "true", not absent). */
export function verifiedEmail(claims: IdentityClaims): { email: string } | { refusal: SsoRefusal.EMAIL_UNVERIFIED; email: string | null } {
  const email = typeof claims.email === 'string' && claims.email.trim() !== '' ? normalizeEmail(claims.email) : null;
  if (email === null || claims.email_verified !== true) return { refusal: SsoRefusal.EMAIL_UNVERIFIED, email };
  return { email };
}

/**
 * The stable principal id of an admin who signs in by email (COUNTERSIGN_OIDC_ADMINS): a
 * UUID derived from the email, the same on every instance and after every restart, so
 * the audit log names the same actor each time. It is no admin token's id.
 */
export function ssoAdminId(email: string): string {
  const bytes = createHash('sha256').update(`countersign:oidc-admin:${normalizeEmail(email)}`).digest().subarray(0, 16);
  // RFC 4122 layout (version 5 style, name-based with SHA), so it is a well-formed uuid.
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What an admin's SSO session is bound to: its keyed hash stands for the credential, and holds while the email stays listed. */
export function ssoAdminCredential(email: string): string {
  return `oidc-admin:${normalizeEmail(email)}`;
}

/**
 * The `Set-Cookie` value of the sign-in cookie: HttpOnly, SameSite=Lax (it must come back
 * with the provider's top-level redirect to the callback), only for `/auth/oidc`, ten
 * minutes. `maxAgeSeconds` 0 clears it.
 */
export function loginCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${LOGIN_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Lax', `Path=${LOGIN_COOKIE_PATH}`, `Max-Age=${options.maxAgeSeconds}`];
  if (options.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Reads back a sealed {@link LoginState}'s plain text; null when it is malformed or expired. */
export function parseLoginState(text: string, now: number): LoginState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { state, nonce, verifier, next, expiresAt } = value as Record<string, unknown>;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string' || typeof next !== 'string' || typeof expiresAt !== 'number') return null;
  if (now >= expiresAt) return null;
  return { state, nonce, verifier, next: safeNextPath(next), expiresAt };
}

/**
 * The admin an SSO session stands for, while its email is still listed in
 * COUNTERSIGN_OIDC_ADMINS: the session keeps the admin's derived id and the keyed hash of
 * {@link ssoAdminCredential}, so taking the email off the list ends its sessions at their
 * next use. Null when no listed email fits.
 */
export function ssoAdminOfSession(
  admins: readonly string[],
  hash: (credential: string) => string,
  principalId: string,
  credentialHash: string,
): Extract<Principal, { kind: PrincipalKind.ADMIN }> | null {
  for (const email of admins) {
    if (ssoAdminId(email) === principalId && hash(ssoAdminCredential(email)) === credentialHash) return ssoAdminPrincipal(email);
  }
  return null;
}

/** The admin principal of a listed email; its name is the email. */
export function ssoAdminPrincipal(email: string): Extract<Principal, { kind: PrincipalKind.ADMIN }> {
  const normalized = normalizeEmail(email);
  return { kind: PrincipalKind.ADMIN, id: ssoAdminId(normalized), name: normalized };
}
