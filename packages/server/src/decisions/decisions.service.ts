import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { evaluateGovernance, type CompiledGovernance } from '@countersign/governance';
import { ActionStatus, AgentStatus, ReviewStatus, ReviewVerdict, Verdict } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid, validText } from '../shared/validate.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import { rawTransaction, type SqlExecutor } from '../db/sql.js';
import { payloadHash } from '../receipts/receipt.js';
import { Approver } from '../principals/approver.entity.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { Timer } from '../escalation/timer.entity.js';
import { HELD_BY_SQL, endAssignments, restartMembers, seatOf, voterLeaves } from '../escalation/assignments.js';
import { transitionAction } from '../actions/transition.js';
import { StatusReason } from '../actions/status-reason.js';
import { MAX_PAYLOAD_BYTES } from '../actions/normalize-input.js';
import type { ActionRequest } from '../actions/action-request.entity.js';
import { ACTION_COLUMNS, type ActionRow } from '../actions/action.view.js';
import type { Services } from '../services.js';
import { Review } from './review.entity.js';
import { candidateAfter, countVote, standing, type Vote } from './quorum.js';
import { reassess } from './reassess.js';
import { staleApproval, validExpectedPayloadHash } from './payload-guard.js';
import { storedBehaviour, storedInput } from '../governance/simulate.js';
import type { DecisionInput, ReviewInput } from './decision.inputs.js';
import { grantFromDecision, planDecisionGrant } from '../grants/from-decision.js';

/** What a decision reads under the request's lock, besides the request itself. */
interface DecisionFacts {
  agent_name: string;
  agent_tags: string[];
  agent_status: AgentStatus;
  agent_owner_id: string | null;
  approver_name: string;
  /** The votes already cast, by round, the round's modifications first (decisions/quorum.ts). */
  votes: { approverId: string; onBehalfOfId: string | null; verdict: Verdict; modifiedPayload: unknown; candidate: number }[];
  /** The caller's active approval assignment, if any. */
  mine: { id: string; onBehalfOfId: string | null; groupId: string | null } | null;
}

/**
 * An assignee decides (DESIGN §2 step 8). Under the request's row lock: it must still be
 * PENDING (else CONFLICT) and its agent not suspended, the caller must not own the agent
 * (separation of duties) and must be assigned to it now (else FORBIDDEN), and their vote
 * must be the first that counts for the current candidate — counting the person they
 * stand in for, so one person's authority is never counted twice. With a quorum the
 * request stays PENDING until enough distinct people approve the candidate as it is; any
 * DENY ends it. An approval that names the payload it was given for
 * (`expectedPayloadHash`) is refused (CONFLICT, nothing written) when the candidate is no
 * longer that payload (decisions/payload-guard.ts).
 *
 * An approval with a modified payload makes it the candidate (decisions/quorum.ts): the
 * approvals of the earlier candidate stop counting and those people get the request back
 * in their queue, and the request is evaluated again with the new payload under the
 * governance version that routed it (decisions/reassess.ts), which may raise its level and
 * the approvals it needs, or block it (DENIED, BLOCKED_BY_POLICY).
 *
 * This is the path a waiting agent waits on, so it is written as plain statements on one
 * connection (db/sql.ts), not through the ORM's unit of work: the request locked, what the
 * decision depends on read in one statement, every write in one, then the notification and
 * the audit append: through the ORM a decision took many round trips (BENCHMARKS.md).
 */
/** What a caller other than the GraphQL mutation may add to a decision. */
export interface DecideOptions {
  /**
   * Checked under the request's lock, once it is known to be pending and the caller's vote to be due: a reason to refuse
   * the vote (FORBIDDEN), or null. A channel that offers a narrower choice than the web app
   * (a Slack button) says here what it may not decide, as the request is at that moment.
   */
  refuse?: (action: ActionRow) => string | null;
  /** Where the vote was cast (e.g. SLACK), recorded in its audit event. */
  via?: string;
}

export async function decide(em: EntityManager, services: Services, approverId: string, input: DecisionInput, options: DecideOptions = {}): Promise<ActionRow> {
  const comment = validText(input.comment, 'comment', 10_000);
  const modifiedPayload = input.modifiedPayload ?? null;
  const expectedPayloadHash = validExpectedPayloadHash(input.expectedPayloadHash);
  if (input.verdict === Verdict.REQUEST_CHANGES && !comment) {
    throw AppError.badInput('comment is required with REQUEST_CHANGES: say what should change.', 'comment');
  }
  if (input.verdict === Verdict.DENY && modifiedPayload !== null) {
    throw AppError.badInput('modifiedPayload goes with APPROVE or REQUEST_CHANGES, not DENY.', 'modifiedPayload');
  }
  if (modifiedPayload !== null && Buffer.byteLength(JSON.stringify(modifiedPayload)) > MAX_PAYLOAD_BYTES) {
    throw AppError.badInput(`modifiedPayload is larger than ${MAX_PAYLOAD_BYTES} bytes.`, 'modifiedPayload');
  }
  if (!isUuid(input.actionId)) throw AppError.notFound('ActionRequest', input.actionId);
  // The key is read before the transaction, which in embedded mode holds the only
  // connection — and only by a vote that can approve: no other verdict ends in a receipt.
  const sign = input.verdict === Verdict.APPROVE ? await services.receipts.signer(em) : null;
  // Likewise the governance a modification is evaluated again under (a request's version never changes).
  const modifies = input.verdict === Verdict.APPROVE && modifiedPayload !== null;
  const governance = modifies ? await governanceThatRouted(em, services, input.actionId) : null;
  // A standing approval asked for with the approval (DESIGN §12), checked as far as it can be before the lock.
  const grantPlan = input.grant ? await planDecisionGrant(em, services, input.verdict, input.grant) : null;

  const { action, events } = await rawTransaction(services.orm, async (sql) => {
    const [action] = await sql.execute<(ActionRow & { behaviour: unknown })[]>(`select ${ACTION_COLUMNS}, a."behaviour" from "action_request" a where a."id" = ? for update`, [input.actionId]);
    if (!action) throw AppError.notFound('ActionRequest', input.actionId);
    if (action.status !== ActionStatus.PENDING) {
      throw AppError.conflict(`Request ${action.id} is already ${action.status}; it can no longer be decided.`, { status: action.status });
    }
    // A statement of its own, after the lock: its snapshot sees every vote committed before.
    const [facts] = await sql.execute<DecisionFacts[]>(
      `select g."name" as "agent_name", g."tags" as "agent_tags", g."status" as "agent_status", g."owner_id" as "agent_owner_id",
         (select p."name" from "approver" p where p."id" = ?) as "approver_name",
         (select coalesce(json_agg(json_build_object('approverId', d."approver_id", 'onBehalfOfId', d."on_behalf_of_id", 'verdict', d."verdict",
            'modifiedPayload', d."modified_payload", 'candidate', d."candidate") order by d."candidate", d."modified_payload" is null, d."at", d."id"), '[]'::json)
            from "decision" d where d."action_id" = ?) as "votes",
         ${HELD_BY_SQL} as "mine"
       from "agent" g where g."id" = ?`,
      [approverId, action.id, action.id, approverId, AssignmentKind.APPROVAL, action.agent_id],
    );
    const { votes, mine } = facts!;
    // The kill switch: suspending an agent cancels its pending requests in the same
    // transaction, so this only guards requests left pending by an older version.
    if (facts!.agent_status === AgentStatus.SUSPENDED) {
      throw AppError.conflict(`Agent ${facts!.agent_name} is suspended: its requests can no longer be decided.`, { status: action.status });
    }
    const owner = facts!.agent_owner_id;
    const ownsIt = owner !== null && (owner === approverId || mine?.onBehalfOfId === owner);
    if (ownsIt && (input.verdict === Verdict.APPROVE || !mine)) {
      throw AppError.forbidden(`Request ${action.id} is from ${facts!.agent_name}: you own this agent, so you cannot approve its requests (separation of duties).`);
    }
    // Each vote counts for the person whose seat it takes: a delegate's for the person they stand in for.
    const seats: Vote[] = votes.map((d) => ({ approverId: d.onBehalfOfId ?? d.approverId, verdict: d.verdict, modifiedPayload: d.modifiedPayload, candidate: d.candidate }));
    const before = candidateAfter(action.payload, seats);
    // Nor is one person's own vote on this candidate counted twice, whichever seat it took.
    if (votes.some((d, i) => d.approverId === approverId && before.rounds[i] === before.candidate.round)) {
      throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    }
    if (!mine) {
      throw AppError.forbidden(`Request ${action.id} is not assigned to you at its current level (${action.escalation_level ?? '-'}), directly or as a delegate.`);
    }
    // Only to an assignee: the hash of what is up for approval is not told to anyone else.
    const stale = staleApproval(action.id, input.verdict, expectedPayloadHash, before.candidate.payload);
    if (stale) throw stale;
    const refusal = options.refuse?.(action) ?? null;
    if (refusal !== null) throw AppError.forbidden(refusal);
    const seat = mine.onBehalfOfId ?? approverId;
    const result = countVote(action.payload, seats, { approverId: seat, verdict: input.verdict, modifiedPayload }, action.required_approvals);
    if (!result.ok) throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    const { candidate } = result;
    let outcome = result.outcome;
    let blocked = false;

    const now = new Date();
    const previous = { level: action.risk_level, requiredApprovals: action.required_approvals };
    const audit: AuditEntry[] = [];
    let modification: AuditEntry | null = null;
    if (result.changed) {
      // The modification is the candidate now: evaluated as if the agent had submitted it.
      const evaluation = evaluateGovernance(governance?.compiled ?? null, storedInput(action, candidate.payload), { name: facts!.agent_name, tags: facts!.agent_tags }, storedBehaviour(action.behaviour));
      const verdict = reassess(previous, { ...evaluation.policy, notes: evaluation.notes }, facts!.approver_name);
      action.notes = [...action.notes, ...verdict.notes];
      if (verdict.blocked) {
        blocked = true;
        outcome = ActionStatus.DENIED;
      } else {
        action.risk_level = verdict.level;
        action.required_approvals = verdict.requiredApprovals;
        outcome = standing([...seats, { approverId: seat, verdict: input.verdict, modifiedPayload }], candidate, verdict.requiredApprovals);
      }
      modification = {
        kind: 'PAYLOAD_MODIFIED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now,
        data: {
          candidate: candidate.round, escalationLevel: action.escalation_level, payloadHash: payloadHash(candidate.payload), previousPayloadHash: payloadHash(before.candidate.payload),
          approvalsVoided: result.voided, governanceVersion: governance?.version ?? null,
          evaluation: { policy: evaluation.policy.policy, mode: evaluation.policy.mode, level: evaluation.policy.level, requiredApprovals: evaluation.policy.requiredApprovals },
          level: { before: previous.level, after: action.risk_level }, requiredApprovals: { before: previous.requiredApprovals, after: action.required_approvals },
          blocked, notes: verdict.notes,
        },
      };
    }

    audit.push({
      kind: 'ACTION_DECIDED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now,
      data: {
        verdict: input.verdict, onBehalfOf: mine.onBehalfOfId, comment, level: action.escalation_level,
        modifiedPayloadHash: modifiedPayload === null ? null : payloadHash(modifiedPayload),
        // An approval is for one payload: which, and whether the approver's client named it (expectedPayloadHash).
        ...(input.verdict === Verdict.APPROVE ? { payloadHash: payloadHash(candidate.payload), payloadHashConfirmed: expectedPayloadHash !== null } : {}),
        candidate: candidate.round,
        approvals: candidate.approvers.length,
        requiredApprovals: action.required_approvals,
        ...(options.via ? { via: options.via } : {}),
      },
    });
    if (modification) audit.push(modification);

    if (outcome !== ActionStatus.PENDING) {
      action.status = outcome;
      action.status_reason = blocked ? StatusReason.BLOCKED_BY_POLICY : ENDED_BY[outcome];
      action.decided_at = now;
      action.deadline = null;
    }
    if (blocked) {
      audit.push({
        kind: 'ACTION_DENIED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { status: ActionStatus.DENIED, reason: StatusReason.BLOCKED_BY_POLICY, detail: (modification!.data as { notes: string[] }).notes[0] },
      });
    }
    if (outcome === ActionStatus.APPROVED) {
      // What the required number of people approved as it is: the submitted payload or the last modification.
      action.approved_payload = candidate.payload;
      const approvedHash = payloadHash(action.approved_payload);
      // Only an APPROVE can complete an approval (quorum.ts: any other verdict ends it otherwise), so `sign` was read.
      action.receipt = await sign!({ id: action.id, agentId: action.agent_id, type: action.type }, approvedHash);
      audit.push({
        kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now,
        data: { payloadHash: approvedHash, modified: candidate.round > 0, candidate: candidate.round, approvers: candidate.approvers },
      });
    }
    if (grantPlan) audit.push(await grantFromDecision(sql, grantPlan, { action, approverId, approverName: facts!.approver_name, approvedPayload: action.approved_payload, now }));
    action.updated_at = now;
    const ends = action.status !== ActionStatus.PENDING;

    // Every write in one statement. A request that stays PENDING (a quorum not yet reached)
    // leaves only the voter's queue — their row ends, or, when they are in it as a member of
    // a group assignment, a row recording their own end takes them out of the group — and
    // one that ends leaves every queue and its timers go.
    const [written] = await sql.execute<{ ended: string[] }[]>(
      `with "decided" as (
         insert into "decision" ("id", "action_id", "approver_id", "on_behalf_of_id", "verdict", "comment", "modified_payload", "candidate", "escalation_level", "at")
         values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
       ), "timers" as (
         delete from "timer" where ? and "action_id" = ?
       ), ${voterLeaves.ctes}, "request" as (
         update "action_request" set "status" = ?, "status_reason" = ?, "decided_at" = ?, "deadline" = ?, "approved_payload" = ?::jsonb, "receipt" = ?, "updated_at" = ?,
           "risk_level" = ?, "required_approvals" = ?, "notes" = ?::jsonb
         where "id" = ?
       )
       select coalesce(array_agg(distinct "approver_id"), '{}') as "ended" from (
         ${voterLeaves.endedSelect}
       ) q`,
      [
        randomUUID(), action.id, approverId, mine.onBehalfOfId, input.verdict, comment, modifiedPayload === null ? null : JSON.stringify(modifiedPayload), candidate.round, action.escalation_level, now,
        ends, action.id,
        ...voterLeaves.params({ actionId: action.id, approverId, mine, everyone: ends, now }),
        action.status, action.status_reason, action.decided_at, action.deadline, action.approved_payload === null ? null : JSON.stringify(action.approved_payload), action.receipt, now,
        action.risk_level, action.required_approvals, JSON.stringify(action.notes), action.id,
      ],
    );
    const queueChanged = [...written!.ended];
    if (!ends && result.voided.length > 0) {
      // Whose approvals stopped counting must approve again: their part at this level comes back.
      const voters = votes.filter((_, i) => before.rounds[i] === before.candidate.round && seats[i]!.verdict === Verdict.APPROVE).map((d) => d.approverId);
      queueChanged.push(...(await requeue(sql, action, voters, now)));
      (modification!.data as Record<string, unknown>).requeued = voters;
    }
    const events = await services.events.inTransaction(sql, [{ actionId: action.id, agentId: action.agent_id, queueChanged: [...new Set(queueChanged)] }]);
    await appendAudit(sql, audit);
    return { action, events };
  });
  services.events.afterCommit(events);
  // A denial is part of the agent's behaviour: its next submission must see it.
  if (action.status === ActionStatus.DENIED) services.behaviour.forget(action.agent_id);
  return action;
}

/** The compiled governance version that routed a request (null: none was applied then). */
async function governanceThatRouted(em: EntityManager, services: Services, actionId: string): Promise<{ version: number; compiled: CompiledGovernance } | null> {
  const [row] = await em.execute<{ governance_version: number | null }[]>('select "governance_version" from "action_request" where "id" = ?', [actionId]);
  if (!row || row.governance_version === null) return null;
  return { version: row.governance_version, compiled: await services.governance.compiled(em, row.governance_version) };
}

/** Gives `approverIds` the request back at its current level (see {@link restartMembers}). */
async function requeue(sql: SqlExecutor, action: ActionRow, approverIds: string[], now: Date): Promise<string[]> {
  if (approverIds.length === 0 || action.escalation_level === null) return [];
  return restartMembers(sql, action.id, approverIds, action.escalation_level, action.deadline, now);
}

/** Why a request ended, by the outcome of the vote that ended it. */
const ENDED_BY = {
  [ActionStatus.APPROVED]: StatusReason.APPROVED_BY_APPROVER,
  [ActionStatus.DENIED]: StatusReason.DENIED_BY_APPROVER,
  [ActionStatus.CHANGES_REQUESTED]: StatusReason.CHANGES_REQUESTED_BY_APPROVER,
} as const;

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
    const assignment = await seatOf(tx, action.id, approverId, AssignmentKind.REVIEW);
    if (!assignment) throw AppError.forbidden(`Request ${action.id} was not routed to you for review.`);
    if (await tx.count(Review, { action: action.id, approver: approverId })) {
      throw AppError.conflict(`You already reviewed request ${action.id}.`);
    }
    const now = new Date();
    tx.persist(tx.create(Review, { action, approver: tx.getReference(Approver, approverId), onBehalfOf: assignment.onBehalfOf === null ? null : tx.getReference(Approver, assignment.onBehalfOf), verdict: input.verdict, comment, at: now }));
    const flagged = input.verdict === ReviewVerdict.FLAG;
    if (flagged || action.reviewStatus === ReviewStatus.UNREVIEWED) {
      action.reviewStatus = flagged ? ReviewStatus.FLAGGED : ReviewStatus.ACKNOWLEDGED;
    }
    const queueChanged = await endAssignments(tx, action.id, now);
    return {
      result: action,
      queueChanged: [...new Set([...queueChanged, approverId])],
      audit: [{ kind: flagged ? 'ACTION_FLAGGED' : 'ACTION_ACKNOWLEDGED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now, data: { comment, onBehalfOf: assignment.onBehalfOf } }],
    };
  });
}
