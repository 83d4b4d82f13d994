import type { IncomingMessage } from 'node:http';
import DataLoader from 'dataloader';
import type { SqlExecutor } from '../db/sql.js';
import type { PrincipalTopic } from '../events/event-bus.js';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import { AppError } from '../errors.js';
import type { Principal } from './principal.js';
import { bearerToken, tokenKind, type TokenHasher } from './tokens.js';

/**
 * What a long-lived connection (a WebSocket) was authenticated with. The connection asks
 * `recheck` before every operation and whenever one of its `topics` is announced on the
 * event bus; null means the credential is no longer valid and the connection must end.
 */
export interface Credential {
  readonly principal: Principal;
  /**
   * Event-bus topics whose announcement may invalidate this credential
   * ({@link principalTopic} of its principal; a session credential would add its session's).
   */
  readonly topics: readonly string[];
  /** The principal as it is now (roles may have changed), or null once the credential is dead. */
  recheck(): Promise<Principal | null>;
}

/** What a credential source sees of a connection being opened. */
export interface ConnectRequest {
  /** graphql-ws `connectionParams` of `connection_init`. */
  params: Readonly<Record<string, unknown>> | undefined;
  /** The HTTP upgrade request (its headers: cookies, origin). */
  request: IncomingMessage;
}

/**
 * One way of authenticating a connection. Returns undefined when the request carries no
 * credential of this kind (the next source is tried), a credential when it does, or throws
 * UNAUTHENTICATED when it carries one that is not valid.
 */
export type CredentialSource = (request: ConnectRequest) => Promise<Credential | undefined>;

/** The event-bus topic announcing that a principal's credentials or standing changed. */
export function principalTopic(kind: PrincipalKind, id: string): PrincipalTopic {
  return `${kind}:${id}` as PrincipalTopic;
}

/** Topic → the agent id it names, for what caches agents (AgentKeyCache); null for other kinds. */
export function agentOfTopic(topic: string): string | null {
  const prefix = `${PrincipalKind.AGENT}:`;
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : null;
}

/**
 * Finds who a token hash belongs to, valid now: an agent that is active (a suspended agent's
 * sockets close, DESIGN §11), an active approver, an admin token not revoked. Lookups made
 * in the same tick go to the database together, one statement per kind: a sweep of ten
 * thousand sockets is three queries, not ten thousand.
 */
export class PrincipalLookup {
  private readonly loaders: Record<PrincipalKind, DataLoader<string, Principal | null>>;

  constructor(sql: SqlExecutor) {
    const batch = (query: string, toPrincipal: (row: Record<string, unknown>) => Principal) =>
      new DataLoader<string, Principal | null>(
        async (hashes) => {
          const rows = await sql.execute<Record<string, unknown>[]>(query, [[...hashes]]);
          const byHash = new Map(rows.map((row) => [row.hash as string, toPrincipal(row)]));
          return hashes.map((hash) => byHash.get(hash) ?? null);
        },
        { cache: false, maxBatchSize: 5000 },
      );
    this.loaders = {
      [PrincipalKind.AGENT]: batch(
        `select "id", "name", "api_key_hash" as "hash" from "agent" where "api_key_hash" = any(?::text[]) and "status" = '${AgentStatus.ACTIVE}'`,
        (row) => ({ kind: PrincipalKind.AGENT, id: row.id as string, name: row.name as string }),
      ),
      [PrincipalKind.APPROVER]: batch(
        'select "id", "name", "roles", "token_hash" as "hash" from "approver" where "token_hash" = any(?::text[]) and "active"',
        (row) => ({ kind: PrincipalKind.APPROVER, id: row.id as string, name: row.name as string, roles: row.roles as string[] }),
      ),
      [PrincipalKind.ADMIN]: batch(
        'select "id", "name", "token_hash" as "hash" from "admin_token" where "token_hash" = any(?::text[]) and "revoked_at" is null',
        (row) => ({ kind: PrincipalKind.ADMIN, id: row.id as string, name: row.name as string }),
      ),
    };
  }

  find(kind: PrincipalKind, hash: string): Promise<Principal | null> {
    return this.loaders[kind].load(hash);
  }
}

/** The token of a connection: `connectionParams.authorization` ("Bearer <token>" or the bare token). */
function connectionToken(params: ConnectRequest['params']): string | null {
  const raw = params?.authorization ?? params?.Authorization;
  return typeof raw === 'string' ? bearerToken(raw) ?? raw : null;
}

/**
 * The bearer token in `connectionParams` (DESIGN §4). The bootstrap token, set in the
 * environment, stays valid for the life of the process; every other token is looked up
 * again on each recheck, so a rotated key or token, a suspended agent, a deactivated
 * approver or a revoked admin token is refused from the next operation on.
 */
export function bearerCredentials(sql: SqlExecutor, hasher: TokenHasher, bootstrapToken: string | null): CredentialSource {
  const lookup = new PrincipalLookup(sql);
  return async ({ params }) => {
    const token = connectionToken(params);
    if (token === null) return undefined;
    const hash = hasher.hash(token);
    if (bootstrapToken !== null && hasher.hashMatches(hash, bootstrapToken)) {
      const principal: Principal = { kind: PrincipalKind.ADMIN, id: null, name: 'bootstrap' };
      return { principal, topics: [], recheck: async () => principal };
    }
    const kind = tokenKind(token);
    const principal = kind ? await lookup.find(kind, hash) : null;
    if (!kind || !principal) throw AppError.unauthenticated('The bearer token is not valid (unknown, revoked, rotated or mistyped), or its agent is suspended.');
    return { principal, topics: [principalTopic(kind, principal.id!)], recheck: () => lookup.find(kind, hash) };
  };
}

/**
 * Authenticates a connection with the first source that recognises a credential in it.
 * Returns null for a connection that carries none (anonymous).
 */
export async function authenticateConnection(sources: readonly CredentialSource[], request: ConnectRequest): Promise<Credential | null> {
  for (const source of sources) {
    const credential = await source(request);
    if (credential) return credential;
  }
  return null;
}
