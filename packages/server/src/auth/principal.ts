import type { SqlExecutor } from '../db/sql.js';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { TokenHasher, tokenKind } from './tokens.js';

/**
 * What a submission needs to know of its agent, read with the agent's key on an HTTP
 * request (one round trip for both): its status, for the kill switch, is then as fresh as
 * the request itself. WebSocket principals live as long as their connection, so they
 * carry none and a submission over one reads its own.
 */
export interface AgentSnapshot {
  name: string;
  tags: string[];
  suspended: boolean;
  suspendedReason: string | null;
  ownerId: string | null;
  /** The governance version in force when the request arrived (null: none applied yet). */
  governanceVersion: number | null;
  /** The hash of the key it was read with: a submission commits only while it is still the agent's key. */
  keyHash: string;
}

/** Who is calling. Resolved once per HTTP request or WebSocket connection. */
export type Principal =
  | { kind: PrincipalKind.AGENT; id: string; name: string; snapshot?: AgentSnapshot }
  | { kind: PrincipalKind.APPROVER; id: string; name: string; roles: string[] }
  | { kind: PrincipalKind.ADMIN; id: string | null; name: string };

/** `ADMIN:<id>` style reference stored as the actor of audit events and records. */
export function actorRef(principal: Principal): { actorType: string; actorId: string | null } {
  return { actorType: principal.kind, actorId: principal.id };
}

/**
 * Agents authenticated by key in the last {@link AgentKeyCache.ttlMs}, by key hash: agents
 * submit at machine rate, and a key lookup per request was one more round trip than the
 * request's own write. What a cached entry could get wrong is checked again where it
 * matters — a submission commits only if, in its transaction, the agent still holds this
 * key, is not suspended and the governance version is the one it was judged by (see
 * `readCommitFacts`). A change to an agent's key or status is forgotten at once on the
 * instance that made it and, through the event bus, on the others; while the event bus
 * cannot hear the others, nothing is cached, and the TTL bounds what a lost message could
 * leave behind. Approver and admin tokens are not cached.
 */
export class AgentKeyCache {
  private readonly entries = new Map<string, { at: number; principal: Principal }>();
  private enabled = true;

  constructor(
    readonly ttlMs = 2000,
    private readonly maxEntries = 10_000,
  ) {}

  get(keyHash: string, now = Date.now()): Principal | null {
    if (!this.enabled || this.ttlMs === 0) return null;
    const entry = this.entries.get(keyHash);
    if (!entry) return null;
    if (now - entry.at < this.ttlMs) return entry.principal;
    this.entries.delete(keyHash);
    return null;
  }

  set(keyHash: string, principal: Principal, now = Date.now()): void {
    if (!this.enabled || this.ttlMs === 0) return;
    this.entries.delete(keyHash);
    this.entries.set(keyHash, { at: now, principal });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets an agent (its key was rotated, it was suspended or resumed). */
  forgetAgent(agentId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.id === agentId) this.entries.delete(hash);
  }

  /** Forgets everyone (the governance in force changed). */
  clear(): void {
    this.entries.clear();
  }

  /** Stops (and empties) or resumes caching: off while changes made elsewhere cannot be heard. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.entries.clear();
  }
}

interface AgentRow {
  id: string;
  name: string;
  status?: AgentStatus;
  tags?: string[];
  suspended_reason?: string | null;
  owner_id?: string | null;
  governance_version?: number | null;
}

/**
 * Finds the principal a bearer token belongs to; with `snapshot`, an agent's comes with
 * what its submissions need ({@link AgentSnapshot}). Returns null for no token; throws
 * UNAUTHENTICATED for a token that matches nobody (a wrong token is an error, not anonymity).
 */
export async function authenticate(
  sql: SqlExecutor,
  hasher: TokenHasher,
  bootstrapToken: string | null,
  token: string | null,
  options: { snapshot?: boolean; cache?: AgentKeyCache } = {},
): Promise<Principal | null> {
  if (token === null) return null;
  const hash = hasher.hash(token);
  if (bootstrapToken !== null && hasher.hashMatches(hash, bootstrapToken)) {
    return { kind: PrincipalKind.ADMIN, id: null, name: 'bootstrap' };
  }
  // Hand-written lookups: this runs on every request, and each is one unique-index probe.
  switch (tokenKind(token)) {
    case PrincipalKind.AGENT: {
      const cached = options.snapshot ? options.cache?.get(hash) : null;
      if (cached) return cached;
      const [agent] = await sql.execute<AgentRow[]>(
        options.snapshot
          ? `select "id", "name", "status", "tags", "suspended_reason", "owner_id", (select max("version") from "governance_version") as "governance_version"
               from "agent" where "api_key_hash" = ?`
          : 'select "id", "name" from "agent" where "api_key_hash" = ?',
        [hash],
      );
      if (agent) {
        const snapshot = options.snapshot
          ? { name: agent.name, tags: agent.tags!, suspended: agent.status === AgentStatus.SUSPENDED, suspendedReason: agent.suspended_reason!, ownerId: agent.owner_id!, governanceVersion: agent.governance_version!, keyHash: hash }
          : undefined;
        const principal: Principal = { kind: PrincipalKind.AGENT, id: agent.id, name: agent.name, snapshot };
        if (snapshot) options.cache?.set(hash, principal);
        return principal;
      }
      break;
    }
    case PrincipalKind.APPROVER: {
      const [approver] = await sql.execute<{ id: string; name: string; roles: string[] }[]>('select "id", "name", "roles" from "approver" where "token_hash" = ? and "active"', [hash]);
      if (approver) return { kind: PrincipalKind.APPROVER, id: approver.id, name: approver.name, roles: approver.roles };
      break;
    }
    case PrincipalKind.ADMIN: {
      const [admin] = await sql.execute<{ id: string; name: string }[]>('select "id", "name" from "admin_token" where "token_hash" = ? and "revoked_at" is null', [hash]);
      if (admin) return { kind: PrincipalKind.ADMIN, id: admin.id, name: admin.name };
      break;
    }
    case null:
      break;
  }
  throw AppError.unauthenticated('The bearer token is not valid (unknown, revoked or mistyped).');
}
