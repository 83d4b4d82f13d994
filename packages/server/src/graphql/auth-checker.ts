import type { AuthChecker } from 'type-graphql';
import type { Context } from './context.js';
import { requireKind, requirePrincipal } from './context.js';
import type { PrincipalKind } from '../shared/enums.js';

/**
 * `@Authorized()` needs any principal; `@Authorized(PrincipalKind.ADMIN)` needs that kind.
 * Throws the contract's errors itself so the codes are UNAUTHENTICATED / FORBIDDEN.
 */
export const authChecker: AuthChecker<Context, PrincipalKind> = ({ context }, kinds) => {
  if (kinds.length === 0) requirePrincipal(context);
  else requireKind(context, ...kinds);
  return true;
};
