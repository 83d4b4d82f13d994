import type { EntityManager } from '@mikro-orm/postgresql';
import { ActionStatus } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { validText } from '../shared/validate.js';
import { endAssignments } from '../escalation/assignments.js';
import { Timer } from '../escalation/timer.entity.js';
import type { Services } from '../services.js';
import type { ActionRequest } from './action-request.entity.js';
import type { OutcomeInput } from './action.inputs.js';
import { StatusReason } from './status-reason.js';
import { transitionAction } from './transition.js';

const MAX_RESULT_BYTES = 256 * 1024;

/** Agents act only on their own requests; anyone else's is NOT_FOUND to them. */
function ownedBy(action: ActionRequest, agentId: string): void {
  if (action.agent.id !== agentId) throw AppError.notFound('ActionRequest', action.id);
}

/** The agent withdraws a pending request: it leaves every queue and its timers stop. */
export function cancelAction(em: EntityManager, services: Services, agentId: string, id: string, reason: string | null): Promise<ActionRequest> {
  return transitionAction(em, services, id, async (tx, action) => {
    ownedBy(action, agentId);
    if (action.status !== ActionStatus.PENDING) {
      throw AppError.conflict(`Request ${id} is ${action.status}, not PENDING: only a pending request can be cancelled.`, { status: action.status });
    }
    const now = new Date();
    action.status = ActionStatus.CANCELLED;
    action.statusReason = StatusReason.CANCELLED_BY_AGENT;
    action.decidedAt = now;
    action.deadline = null;
    const removed = await endAssignments(tx, action.id, now);
    await tx.nativeDelete(Timer, { action: action.id });
    return {
      result: action,
      queueChanged: removed,
      audit: [{ kind: 'ACTION_CANCELLED', subjectType: 'ACTION', subjectId: action.id, actorType: 'AGENT', actorId: agentId, at: now, data: { reason: validText(reason, 'reason', 2000) } }],
    };
  });
}

/** The agent reports how an approved action went; once. */
export function reportOutcome(em: EntityManager, services: Services, agentId: string, id: string, input: OutcomeInput): Promise<ActionRequest> {
  return transitionAction(em, services, id, async (_tx, action) => {
    ownedBy(action, agentId);
    if (action.status !== ActionStatus.APPROVED) {
      throw AppError.conflict(`Request ${id} is ${action.status}: only an approved action has an outcome to report.`, { status: action.status });
    }
    if (action.outcomeStatus !== null) {
      throw AppError.conflict(`The outcome of request ${id} was already reported (${action.outcomeStatus}).`, { outcome: action.outcomeStatus });
    }
    if (input.result !== undefined && input.result !== null && Buffer.byteLength(JSON.stringify(input.result)) > MAX_RESULT_BYTES) {
      throw AppError.badInput(`result is larger than ${MAX_RESULT_BYTES} bytes.`, 'result');
    }
    const now = new Date();
    action.outcomeStatus = input.status;
    action.outcomeDetail = validText(input.detail, 'detail', 10_000);
    action.outcomeResult = input.result ?? null;
    action.outcomeAt = now;
    return {
      result: action,
      audit: [{ kind: 'OUTCOME_REPORTED', subjectType: 'ACTION', subjectId: action.id, actorType: 'AGENT', actorId: agentId, at: now, data: { status: input.status, detail: action.outcomeDetail } }],
    };
  });
}
