import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PrincipalKind } from '../shared/enums.js';

/**
 * Token prefixes tell a token's kind at a glance (and to secret scanners) and let the
 * server look in the right table. The rest is 32 random bytes: far beyond brute force, so a
 * fast keyed hash is the right way to store them (a slow password hash would only slow
 * every request down).
 */
const PREFIX: Record<PrincipalKind, string> = {
  [PrincipalKind.AGENT]: 'cs_agent_',
  [PrincipalKind.APPROVER]: 'cs_appr_',
  [PrincipalKind.ADMIN]: 'cs_admin_',
};

export function generateToken(kind: PrincipalKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** The kind a token claims by its prefix, or null for anything else (e.g. a bootstrap token). */
export function tokenKind(token: string): PrincipalKind | null {
  for (const kind of Object.values(PrincipalKind)) {
    if (token.startsWith(PREFIX[kind])) return kind;
  }
  return null;
}

/** Hashes tokens with a server-wide key, so a stolen table alone does not reveal or confirm tokens. */
export class TokenHasher {
  /** The hash of the last known token compared against (the bootstrap token: one per server). */
  private known: { token: string; hash: Buffer } | null = null;

  constructor(private readonly key: Buffer) {}

  hash(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  /**
   * Constant-time comparison of a presented token, already hashed, with a known one (the
   * bootstrap token, whose hash is kept): one HMAC per request.
   */
  hashMatches(presentedHash: string, known: string): boolean {
    if (this.known?.token !== known) this.known = { token: known, hash: Buffer.from(this.hash(known)) };
    const a = Buffer.from(presentedHash);
    const b = this.known.hash;
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Extracts the token from an `Authorization: Bearer <token>` value. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
