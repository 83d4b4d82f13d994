import type { EntityManager } from '@mikro-orm/postgresql';
import { ActionStatus, ReviewStatus, ReviewVerdict, Verdict, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { validText } from '../shared/validate.js';
import type { AuditEntry } from '../audit/audit.service.js';
import { payloadHash } from '../receipts/receipt.js';
import { Approver } from '../principals/approver.entity.js';
import { Agent } from '../principals/agent.entity.js';
import { Assignment, AssignmentKind } from '../escalation/assignment.entity.js';
import { Timer } from '../escalation/timer.entity.js';
import { endAssignments } from '../escalation/escalation.service.js';
import { transitionAction } from '../actions/transition.js';
import { StatusReason } from '../actions/status-reason.js';
import { MAX_PAYLOAD_BYTES } from '../actions/normalize-input.js';
import type { ActionRequest } from '../actions/action-request.entity.js';
import type { Services } from '../services.js';
import { Decision } from './decision.entity.js';
import { Review } from './review.entity.js';
import { tally } from './quorum.js';
import type { DecisionInput, ReviewInput } from './decision.inputs.js';

/** The assignment through which `approverId` may act on the request now, or FORBIDDEN. */
async function myAssignment(tx: EntityManager, action: ActionRequest, approverId: string, kind: AssignmentKind): Promise<Assignment> {
  const assignment = await tx.findOne(Assignment, { action: action.id, approver: approverId, kind, active: true });
  if (!assignment) {
    throw AppError.forbidden(
      kind === AssignmentKind.APPROVAL
        ? `Request ${action.id} is not assigned to you at its current level (${action.escalationLevel ?? '-'}), directly or as a delegate.`
        : `Request ${action.id} is not in your review queue.`,
    );
  }
  return assignment;
}

/**
 * An assignee decides (DESIGN §2 step 8). Under the request's row lock: it must still be
 * PENDING (else CONFLICT), assigned to the caller now (else FORBIDDEN), not the agent's
 * owner's to approve (separation of duties), and the caller's first vote — counting the
 * person they stand in for, so one person's authority is never counted twice. With a
 * quorum the request stays PENDING until enough distinct people approve; any DENY ends it.
 */
export async function decide(em: EntityManager, services: Services, approverId: string, input: DecisionInput): Promise<ActionRequest> {
  const action = await recordDecision(em, services, approverId, input);
  // A denial is part of the agent's behaviour: its next submission must see it.
  if (action.status === ActionStatus.DENIED) services.behaviour.forget(action.agent.id);
  return action;
}

function recordDecision(em: EntityManager, services: Services, approverId: string, input: DecisionInput): Promise<ActionRequest> {
  const comment = validText(input.comment, 'comment', 10_000);
  if (input.verdict === Verdict.REQUEST_CHANGES && !comment) {
    throw AppError.badInput('comment is required with REQUEST_CHANGES: say what should change.', 'comment');
  }
  if (input.verdict === Verdict.DENY && input.modifiedPayload !== undefined && input.modifiedPayload !== null) {
    throw AppError.badInput('modifiedPayload goes with APPROVE or REQUEST_CHANGES, not DENY.', 'modifiedPayload');
  }
  if (input.modifiedPayload !== undefined && input.modifiedPayload !== null && Buffer.byteLength(JSON.stringify(input.modifiedPayload)) > MAX_PAYLOAD_BYTES) {
    throw AppError.badInput(`modifiedPayload is larger than ${MAX_PAYLOAD_BYTES} bytes.`, 'modifiedPayload');
  }

  return transitionAction(em, services, input.actionId, async (tx, action) => {
    if (action.status !== ActionStatus.PENDING) {
      throw AppError.conflict(`Request ${action.id} is already ${action.status}; it can no longer be decided.`, { status: action.status });
    }
    const previous = await tx.find(Decision, { action: action.id });
    if (previous.some((d) => d.approver.id === approverId)) {
      throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    }
    const assignment = await myAssignment(tx, action, approverId, AssignmentKind.APPROVAL);
    const agent = await tx.findOneOrFail(Agent, { id: action.agent.id }, { fields: ['id', 'name', 'owner'] });
    if (input.verdict === Verdict.APPROVE && agent.owner && (agent.owner.id === approverId || assignment.onBehalfOf?.id === agent.owner.id)) {
      throw AppError.forbidden(`You own agent ${agent.name}: separation of duties bars you from approving its requests.`);
    }

    // The person a delegate stands in for counts once too: their authority is not used twice.
    const seat = assignment.onBehalfOf?.id ?? approverId;
    if (previous.some((d) => (d.onBehalfOf?.id ?? d.approver.id) === seat)) {
      throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    }
    const result = tally(
      previous.map((d) => ({ approverId: d.onBehalfOf?.id ?? d.approver.id, verdict: d.verdict })),
      { approverId: seat, verdict: input.verdict },
      action.requiredApprovals,
    );
    if (!result.ok) throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);

    const now = new Date();
    const decision = tx.create(Decision, {
      action,
      approver: tx.getReference(Approver, approverId),
      onBehalfOf: assignment.onBehalfOf,
      verdict: input.verdict,
      comment,
      modifiedPayload: input.modifiedPayload ?? null,
      escalationLevel: action.escalationLevel,
      at: now,
    });
    tx.persist(decision);

    const audit: AuditEntry[] = [{
      kind: 'ACTION_DECIDED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now,
      data: {
        verdict: input.verdict, onBehalfOf: assignment.onBehalfOf?.id ?? null, comment, level: action.escalationLevel,
        modifiedPayloadHash: input.modifiedPayload === undefined || input.modifiedPayload === null ? null : payloadHash(input.modifiedPayload),
        approvals: previous.filter((d) => d.verdict === Verdict.APPROVE).length + (input.verdict === Verdict.APPROVE ? 1 : 0),
        requiredApprovals: action.requiredApprovals,
      },
    }];

    let queueChanged: string[];
    switch (result.outcome) {
      case ActionStatus.PENDING:
        // This approver has voted: the request leaves their queue, and waits for the others.
        assignment.active = false;
        assignment.endedAt = now;
        queueChanged = [approverId];
        break;
      case ActionStatus.APPROVED: {
        // The latest modification among the approvals is what was finally approved.
        const modified = [...previous, decision].filter((d) => d.verdict === Verdict.APPROVE && d.modifiedPayload !== null).at(-1)?.modifiedPayload;
        action.approvedPayload = modified ?? action.payload;
        const approvedHash = payloadHash(action.approvedPayload);
        action.receipt = await services.receipts.sign(tx, { id: action.id, agentId: action.agent.id, type: action.type }, approvedHash);
        queueChanged = await finish(tx, action, ActionStatus.APPROVED, StatusReason.APPROVED_BY_APPROVER, now);
        audit.push({ kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now, data: { payloadHash: approvedHash, modified: modified !== undefined } });
        break;
      }
      case ActionStatus.DENIED:
        queueChanged = await finish(tx, action, ActionStatus.DENIED, StatusReason.DENIED_BY_APPROVER, now);
        break;
      case ActionStatus.CHANGES_REQUESTED:
        queueChanged = await finish(tx, action, ActionStatus.CHANGES_REQUESTED, StatusReason.CHANGES_REQUESTED_BY_APPROVER, now);
        break;
      default:
        return assertNever(result.outcome);
    }
    return { result: action, audit, queueChanged };
  });
}

/** Ends a pending request: status, no more assignments, no more timers. Returns whose queues lost it. */
export async function finish(tx: EntityManager, action: ActionRequest, status: ActionStatus, reason: StatusReason, now: Date): Promise<string[]> {
  action.status = status;
  action.statusReason = reason;
  action.decidedAt = now;
  action.deadline = null;
  await tx.nativeDelete(Timer, { action: action.id });
  return endAssignments(tx, action.id, now);
}

/**
 * A routed reviewer acknowledges or flags an ASYNC_REVIEW request after the fact. The
 * first review settles `reviewStatus` (a FLAG later still overrides an ACKNOWLEDGE: a
 * concern is never hidden by someone else's nod) and takes it off every reviewer's queue.
 */
export async function review(em: EntityManager, services: Services, approverId: string, input: ReviewInput): Promise<ActionRequest> {
  const action = await recordReview(em, services, approverId, input);
  // A flag is part of the agent's behaviour: its next submission must see it.
  if (input.verdict === ReviewVerdict.FLAG) services.behaviour.forget(action.agent.id);
  return action;
}

function recordReview(em: EntityManager, services: Services, approverId: string, input: ReviewInput): Promise<ActionRequest> {
  const comment = validText(input.comment, 'comment', 10_000);
  return transitionAction(em, services, input.actionId, async (tx, action) => {
    if (action.reviewStatus === null) {
      throw AppError.conflict(`Request ${action.id} was not sent for review (mode ${action.mode}).`, { mode: action.mode });
    }
    const assignment = await tx.findOne(Assignment, { action: action.id, approver: approverId, kind: AssignmentKind.REVIEW });
    if (!assignment) throw AppError.forbidden(`Request ${action.id} was not routed to you for review.`);
    if (await tx.count(Review, { action: action.id, approver: approverId })) {
      throw AppError.conflict(`You already reviewed request ${action.id}.`);
    }
    const now = new Date();
    tx.persist(tx.create(Review, { action, approver: tx.getReference(Approver, approverId), onBehalfOf: assignment.onBehalfOf, verdict: input.verdict, comment, at: now }));
    const flagged = input.verdict === ReviewVerdict.FLAG;
    if (flagged || action.reviewStatus === ReviewStatus.UNREVIEWED) {
      action.reviewStatus = flagged ? ReviewStatus.FLAGGED : ReviewStatus.ACKNOWLEDGED;
    }
    const queueChanged = await endAssignments(tx, action.id, now);
    return {
      result: action,
      queueChanged: [...new Set([...queueChanged, approverId])],
      audit: [{ kind: flagged ? 'ACTION_FLAGGED' : 'ACTION_ACKNOWLEDGED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now, data: { comment, onBehalfOf: assignment.onBehalfOf?.id ?? null } }],
    };
  });
}
