import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { AppError } from '../errors.js';
import { isUuid } from '../shared/validate.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import type { Services } from '../services.js';
import { ActionRequest } from './action-request.entity.js';

export interface TransitionResult<T> {
  result: T;
  audit: AuditEntry[];
  /** Approvers whose queue gained or lost the request. */
  queueChanged?: string[];
}

/**
 * Runs one change to one request under its row lock (`SELECT … FOR UPDATE`), so that
 * concurrent changes — ten approvers deciding at once, a decision racing a timeout — are
 * applied one after another and each sees the state the previous one left: exactly one
 * terminal transition wins. The change, its audit events and its notification commit
 * together.
 */
export async function transitionAction<T>(
  em: EntityManager,
  services: Services,
  id: string,
  change: (tx: EntityManager, action: ActionRequest) => Promise<TransitionResult<T>>,
): Promise<T> {
  if (!isUuid(id)) throw AppError.notFound('ActionRequest', id);
  const { value, events } = await em.transactional(async (tx) => {
    const action = await tx.findOne(ActionRequest, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!action) throw AppError.notFound('ActionRequest', id);
    const outcome = await change(tx, action);
    action.updatedAt = new Date();
    await tx.flush();
    // The NOTIFY is delivered at commit wherever it stands in the transaction: before the
    // append, so the audit head (which every writer waits on) is held one round trip less.
    const events = await services.events.inTransaction(tx, [{ actionId: action.id, agentId: action.agent.id, queueChanged: outcome.queueChanged ?? [] }]);
    await appendAudit(tx, outcome.audit);
    return { value: outcome.result, events };
  });
  services.events.afterCommit(events);
  return value;
}
