import type { EntityManager } from '@mikro-orm/postgresql';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid } from '../shared/validate.js';
import type { Principal } from '../auth/principal.js';
import { ActionRequest } from './action-request.entity.js';

/**
 * Who may read a request (DESIGN §5): its agent, admins, and approvers it is or was routed
 * to (directly or as someone's delegate).
 */
export async function canRead(em: EntityManager, principal: Principal, action: ActionRequest): Promise<boolean> {
  switch (principal.kind) {
    case PrincipalKind.ADMIN:
      return true;
    case PrincipalKind.AGENT:
      return action.agent.id === principal.id;
    case PrincipalKind.APPROVER: {
      const rows = await em.execute(
        'select 1 from "assignment" where "action_id" = ? and ("approver_id" = ? or "on_behalf_of_id" = ?) limit 1',
        [action.id, principal.id, principal.id],
      );
      return rows.length > 0;
    }
    default:
      return assertNever(principal);
  }
}

/**
 * The request, if the principal may read it. A request they may not see is NOT_FOUND,
 * not FORBIDDEN: its existence is itself information.
 */
export async function findReadableAction(em: EntityManager, principal: Principal, id: string): Promise<ActionRequest> {
  const action = isUuid(id) ? await em.findOne(ActionRequest, { id }) : null;
  if (!action || !(await canRead(em, principal, action))) throw AppError.notFound('ActionRequest', id);
  return action;
}
