import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { TokenHasher, tokenKind } from './tokens.js';

/** Who is calling. Resolved once per HTTP request or WebSocket connection. */
export type Principal =
  | { kind: PrincipalKind.AGENT; id: string; name: string; suspended: boolean }
  | { kind: PrincipalKind.APPROVER; id: string; name: string; roles: string[] }
  | { kind: PrincipalKind.ADMIN; id: string | null; name: string };

/** `ADMIN:<id>` style reference stored as the actor of audit events and records. */
export function actorRef(principal: Principal): { actorType: string; actorId: string | null } {
  return { actorType: principal.kind, actorId: principal.id };
}

/**
 * Finds the principal a bearer token belongs to. Returns null for no token; throws
 * UNAUTHENTICATED for a token that matches nobody (a wrong token is an error, not anonymity).
 */
export async function authenticate(
  em: EntityManager,
  hasher: TokenHasher,
  bootstrapToken: string | null,
  token: string | null,
): Promise<Principal | null> {
  if (token === null) return null;
  if (bootstrapToken !== null && hasher.matches(token, bootstrapToken)) {
    return { kind: PrincipalKind.ADMIN, id: null, name: 'bootstrap' };
  }
  const hash = hasher.hash(token);
  // Hand-written lookups: this runs on every request, and each is one unique-index probe.
  switch (tokenKind(token)) {
    case PrincipalKind.AGENT: {
      const [agent] = await em.execute<{ id: string; name: string; status: AgentStatus }[]>('select "id", "name", "status" from "agent" where "api_key_hash" = ?', [hash]);
      if (agent) return { kind: PrincipalKind.AGENT, id: agent.id, name: agent.name, suspended: agent.status === AgentStatus.SUSPENDED };
      break;
    }
    case PrincipalKind.APPROVER: {
      const [approver] = await em.execute<{ id: string; name: string; roles: string[] }[]>('select "id", "name", "roles" from "approver" where "token_hash" = ? and "active"', [hash]);
      if (approver) return { kind: PrincipalKind.APPROVER, id: approver.id, name: approver.name, roles: approver.roles };
      break;
    }
    case PrincipalKind.ADMIN: {
      const [admin] = await em.execute<{ id: string; name: string }[]>('select "id", "name" from "admin_token" where "token_hash" = ? and "revoked_at" is null', [hash]);
      if (admin) return { kind: PrincipalKind.ADMIN, id: admin.id, name: admin.name };
      break;
    }
    case null:
      break;
  }
  throw AppError.unauthenticated('The bearer token is not valid (unknown, revoked or mistyped).');
}
