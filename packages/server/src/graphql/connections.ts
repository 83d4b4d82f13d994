import type { WebSocket } from 'ws';
import type { Credential } from '../auth/credentials.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../logger.js';

/** Why the server closes a socket: the codes clients see (README, "WebSocket limits"). */
export const WsCloseCode = {
  /** The credential is not (or no longer) valid. graphql-ws's own Forbidden. */
  FORBIDDEN: 4403,
  /** The principal already holds as many connections as one may. */
  TOO_MANY_CONNECTIONS: 4429,
} as const;

/** One open, authenticated WebSocket connection. */
export interface OpenConnection {
  readonly socket: WebSocket;
  readonly credential: Credential;
  /** Who the connection acts as, as of the last check (roles may change while it is open). */
  principal: Principal;
}

/** The key one principal's connections are counted under (the bootstrap admin has no id). */
function principalKey(principal: Principal): string {
  return `${principal.kind}:${principal.id ?? '(bootstrap)'}`;
}

/**
 * The authenticated connections of this instance: by socket, by event-bus topic (to find
 * the few a change concerns without looking at the others), and counted per principal.
 * A connection leaves when its socket closes, whoever closed it.
 */
/** How long a socket whose credential an announced change ended stays open for what is already being pushed to it. */
const PUSH_GRACE_MS = 500;

export class OpenConnections {
  private readonly bySocket = new Map<WebSocket, OpenConnection>();
  private readonly byTopic = new Map<string, Set<OpenConnection>>();
  private readonly perPrincipal = new Map<string, number>();
  private lastWarning = 0;

  constructor(private readonly logger: Logger) {}

  add(socket: WebSocket, credential: Credential): OpenConnection {
    const connection: OpenConnection = { socket, credential, principal: credential.principal };
    this.bySocket.set(socket, connection);
    for (const topic of credential.topics) {
      let set = this.byTopic.get(topic);
      if (!set) this.byTopic.set(topic, (set = new Set()));
      set.add(connection);
    }
    const key = principalKey(credential.principal);
    this.perPrincipal.set(key, (this.perPrincipal.get(key) ?? 0) + 1);
    socket.once('close', () => this.remove(connection));
    return connection;
  }

  private remove(connection: OpenConnection): void {
    if (this.bySocket.get(connection.socket) !== connection) return;
    this.bySocket.delete(connection.socket);
    for (const topic of connection.credential.topics) {
      const set = this.byTopic.get(topic);
      set?.delete(connection);
      if (set?.size === 0) this.byTopic.delete(topic);
    }
    const key = principalKey(connection.credential.principal);
    const left = (this.perPrincipal.get(key) ?? 1) - 1;
    if (left > 0) this.perPrincipal.set(key, left);
    else this.perPrincipal.delete(key);
  }

  of(socket: WebSocket): OpenConnection | undefined {
    return this.bySocket.get(socket);
  }

  /** Open connections of `principal` on this instance. */
  countOf(principal: Principal): number {
    return this.perPrincipal.get(principalKey(principal)) ?? 0;
  }

  get size(): number {
    return this.bySocket.size;
  }

  /**
   * Checks a connection's credential now: `valid` (and the connection takes the principal
   * as it is now), `invalid` (and the socket closes with 4403, after whatever is being sent
   * to it), or `unknown` when the check itself failed (the database is unreachable): the
   * connection stays, and the next check decides.
   */
  async recheck(connection: OpenConnection, closeAfterMs = 0): Promise<'valid' | 'invalid' | 'unknown'> {
    let principal: Principal | null;
    try {
      principal = await connection.credential.recheck();
    } catch (error) {
      // A sweep over thousands of sockets while the database is away is one warning, not thousands.
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: error }, 'could not recheck WebSocket credentials; keeping the connections until the next check');
      }
      return 'unknown';
    }
    if (principal) {
      connection.principal = principal;
      return 'valid';
    }
    this.close(connection, closeAfterMs);
    return 'invalid';
  }

  /** Rechecks the connections whose credential a change to `topic` may have ended. */
  recheckTopic(topic: string): void {
    const affected = this.byTopic.get(topic);
    // The change that ended the credential may have pushes on their way to these sockets (a
    // suspended agent's cancellations): they go out first, within DESIGN §11's second.
    if (affected) for (const connection of [...affected]) void this.recheck(connection, PUSH_GRACE_MS);
  }

  /**
   * Rechecks every connection. Credentials batch the checks made in one tick
   * (auth/credentials.ts), so this is a few statements however many sockets are open.
   */
  sweep(): void {
    for (const connection of [...this.bySocket.values()]) void this.recheck(connection);
  }

  private close(connection: OpenConnection, afterMs: number): void {
    const close = () => connection.socket.close(WsCloseCode.FORBIDDEN, 'Forbidden: the credential is no longer valid');
    // At least the next turn: an error message for the operation that found out goes first.
    if (afterMs > 0) setTimeout(close, afterMs).unref();
    else setImmediate(close);
  }
}
