import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExecutionResult } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { Services } from '../services.js';
import { createLoaders, type Loaders } from '../actions/loaders.js';
import { AppError } from '../errors.js';
import { PrincipalKind } from '../shared/enums.js';

/** What every resolver gets: its own EntityManager fork, the caller, and the services. */
export interface Context {
  em: EntityManager;
  principal: Principal | null;
  services: Services;
  loaders: Loaders;
  /**
   * On WebSocket subscriptions: sends a result to this subscriber as the operation's next
   * message, straight to its socket (graphql/shared-execution.ts pushes shared results so).
   */
  sendNext?: (result: ExecutionResult) => void;
}

/**
 * A fresh context: its own EntityManager fork and batch loaders, made when a resolver
 * first asks for them (many requests — a warm submission — need neither).
 *
 * The lazy parts are getters on the class, not on the object: Apollo Server copies the
 * context of every request with `Object.assign` (its `cloneObject`), which would call a
 * getter of the object itself — forking an EntityManager and making the loaders for every
 * request, used or not. Plain fields are copied as they are (null until first use).
 */
class RequestContext implements Context {
  private forked: EntityManager | null;
  private batch: Loaders | null = null;
  sendNext?: (result: ExecutionResult) => void;

  constructor(
    readonly services: Services,
    readonly principal: Principal | null,
    em: EntityManager | undefined,
  ) {
    this.forked = em ?? null;
  }

  get em(): EntityManager {
    return (this.forked ??= this.services.orm.em.fork());
  }

  set em(value: EntityManager) {
    this.forked = value;
  }

  get loaders(): Loaders {
    return (this.batch ??= createLoaders(this.em, this.principal));
  }

  set loaders(value: Loaders) {
    this.batch = value;
  }
}

/** A context for one HTTP request or WebSocket operation (see {@link RequestContext}). */
export function createContext(services: Services, principal: Principal | null, em?: EntityManager): Context {
  return new RequestContext(services, principal, em);
}

/** The caller, or UNAUTHENTICATED. */
export function requirePrincipal(ctx: Context): Principal {
  if (!ctx.principal) throw AppError.unauthenticated();
  return ctx.principal;
}

type PrincipalOf<K extends PrincipalKind> = Extract<Principal, { kind: K }>;

/** The caller if it is one of `kinds`, otherwise FORBIDDEN (or UNAUTHENTICATED without a token). */
export function requireKind<K extends PrincipalKind>(ctx: Context, ...kinds: K[]): PrincipalOf<K> {
  const principal = requirePrincipal(ctx);
  if (!(kinds as PrincipalKind[]).includes(principal.kind)) {
    throw AppError.forbidden(`This operation is for ${kinds.map((k) => k.toLowerCase() + 's').join(' or ')}; you are authenticated as ${principal.kind.toLowerCase()} "${principal.name}".`);
  }
  return principal as PrincipalOf<K>;
}
