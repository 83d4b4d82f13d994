import type { EntityManager } from '@mikro-orm/postgresql';
import { ENTRIES, GROUP_MEMBERS } from '../escalation/entries.js';
import { randomUUID } from 'node:crypto';
import { ActionStatus, ReviewStatus, ReviewVerdict, Verdict } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid, validText } from '../shared/validate.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import { rawTransaction } from '../db/sql.js';
import { payloadHash } from '../receipts/receipt.js';
import { Approver } from '../principals/approver.entity.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { Timer } from '../escalation/timer.entity.js';
import { endAssignments } from '../escalation/escalation.service.js';
import { transitionAction } from '../actions/transition.js';
import { StatusReason } from '../actions/status-reason.js';
import { MAX_PAYLOAD_BYTES } from '../actions/normalize-input.js';
import type { ActionRequest } from '../actions/action-request.entity.js';
import { ACTION_COLUMNS, type ActionRow } from '../actions/action.view.js';
import type { Services } from '../services.js';
import { Review } from './review.entity.js';
import { tally } from './quorum.js';
import type { DecisionInput, ReviewInput } from './decision.inputs.js';

/** What a decision reads under the request's lock, besides the request itself. */
interface DecisionFacts {
  agent_name: string;
  agent_owner_id: string | null;
  /** The votes already cast, in the order they were cast. */
  votes: { approverId: string; onBehalfOfId: string | null; verdict: Verdict; modifiedPayload: unknown }[];
  /** The caller's active approval assignment, if any. */
  mine: { id: string; onBehalfOfId: string | null; groupId: string | null } | null;
}

/**
 * An assignee decides (DESIGN §2 step 8). Under the request's row lock: it must still be
 * PENDING (else CONFLICT), assigned to the caller now (else FORBIDDEN), not the agent's
 * owner's to approve (separation of duties), and the caller's first vote — counting the
 * person they stand in for, so one person's authority is never counted twice. With a
 * quorum the request stays PENDING until enough distinct people approve; any DENY ends it.
 *
 * This is the path a waiting agent waits on, so it is written as plain statements on one
 * connection (db/sql.ts), not through the ORM's unit of work: the request locked, what the
 * decision depends on read in one statement, every write in one, then the notification and
 * the audit append — each ORM round trip cost about a millisecond of this server's time,
 * and a decision took seventeen of them (BENCHMARKS.md).
 */
export async function decide(em: EntityManager, services: Services, approverId: string, input: DecisionInput): Promise<ActionRow> {
  const comment = validText(input.comment, 'comment', 10_000);
  const modifiedPayload = input.modifiedPayload ?? null;
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

  const { action, events } = await rawTransaction(services.orm, async (sql) => {
    const [action] = await sql.execute<ActionRow[]>(`select ${ACTION_COLUMNS} from "action_request" a where a."id" = ? for update`, [input.actionId]);
    if (!action) throw AppError.notFound('ActionRequest', input.actionId);
    if (action.status !== ActionStatus.PENDING) {
      throw AppError.conflict(`Request ${action.id} is already ${action.status}; it can no longer be decided.`, { status: action.status });
    }
    // A statement of its own, after the lock: its snapshot sees every vote committed before.
    const [facts] = await sql.execute<DecisionFacts[]>(
      `select g."name" as "agent_name", g."owner_id" as "agent_owner_id",
         (select coalesce(json_agg(json_build_object('approverId', d."approver_id", 'onBehalfOfId', d."on_behalf_of_id", 'verdict', d."verdict",
            'modifiedPayload', d."modified_payload") order by d."at", d."id"), '[]'::json) from "decision" d where d."action_id" = ?) as "votes",
         (select json_build_object('id', x."id", 'onBehalfOfId', x."on_behalf_of_id", 'groupId', x."group_id") from ${ENTRIES} x
           where x."action_id" = ? and x."approver_id" = ? and x."kind" = ? and x."active" limit 1) as "mine"
       from "agent" g where g."id" = ?`,
      [action.id, action.id, approverId, AssignmentKind.APPROVAL, action.agent_id],
    );
    const { votes, mine } = facts!;
    if (votes.some((d) => d.approverId === approverId)) {
      throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    }
    if (!mine) {
      throw AppError.forbidden(`Request ${action.id} is not assigned to you at its current level (${action.escalation_level ?? '-'}), directly or as a delegate.`);
    }
    const owner = facts!.agent_owner_id;
    if (input.verdict === Verdict.APPROVE && owner && (owner === approverId || mine.onBehalfOfId === owner)) {
      throw AppError.forbidden(`You own agent ${facts!.agent_name}: separation of duties bars you from approving its requests.`);
    }

    // The person a delegate stands in for counts once too: their authority is not used twice.
    const seat = mine.onBehalfOfId ?? approverId;
    if (votes.some((d) => (d.onBehalfOfId ?? d.approverId) === seat)) {
      throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);
    }
    const result = tally(votes.map((d) => ({ approverId: d.onBehalfOfId ?? d.approverId, verdict: d.verdict })), { approverId: seat, verdict: input.verdict }, action.required_approvals);
    if (!result.ok) throw AppError.conflict(`Your vote on request ${action.id} is already counted (one person, one vote).`);

    const now = new Date();
    const audit: AuditEntry[] = [{
      kind: 'ACTION_DECIDED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now,
      data: {
        verdict: input.verdict, onBehalfOf: mine.onBehalfOfId, comment, level: action.escalation_level,
        modifiedPayloadHash: modifiedPayload === null ? null : payloadHash(modifiedPayload),
        approvals: votes.filter((d) => d.verdict === Verdict.APPROVE).length + (input.verdict === Verdict.APPROVE ? 1 : 0),
        requiredApprovals: action.required_approvals,
      },
    }];

    if (result.outcome !== ActionStatus.PENDING) {
      action.status = result.outcome;
      action.status_reason = ENDED_BY[result.outcome];
      action.decided_at = now;
      action.deadline = null;
    }
    if (result.outcome === ActionStatus.APPROVED) {
      // The latest modification among the approvals is what was finally approved.
      const modified = [...votes, { verdict: input.verdict, modifiedPayload }].filter((d) => d.verdict === Verdict.APPROVE && d.modifiedPayload !== null).at(-1)?.modifiedPayload;
      action.approved_payload = modified ?? action.payload;
      const approvedHash = payloadHash(action.approved_payload);
      // Only an APPROVE can complete an approval (quorum.ts: any other verdict ends it otherwise), so `sign` was read.
      action.receipt = await sign!({ id: action.id, agentId: action.agent_id, type: action.type }, approvedHash);
      audit.push({ kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now, data: { payloadHash: approvedHash, modified: modified !== undefined } });
    }
    action.updated_at = now;
    const ends = action.status !== ActionStatus.PENDING;

    // Every write in one statement. A request that stays PENDING (a quorum not yet reached)
    // leaves only the voter's queue — their row ends, or, when they are in it as a member of
    // a group assignment, a row recording their own end takes them out of the group — and
    // one that ends leaves every queue and its timers go.
    const leavesGroup = !ends && mine.groupId !== null;
    const [written] = await sql.execute<{ ended: string[] }[]>(
      `with "decided" as (
         insert into "decision" ("id", "action_id", "approver_id", "on_behalf_of_id", "verdict", "comment", "modified_payload", "escalation_level", "at")
         values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
       ), "timers" as (
         delete from "timer" where ? and "action_id" = ?
       ), "ended" as (
         update "assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" and (? or "id" = ?) returning "approver_id"
       ), "groups" as (
         update "group_assignment" set "active" = false, "ended_at" = ? where ? and "action_id" = ? and "active" returning "id", "set_id"
       ), "left_group" as (
         insert into "assignment" ("id", "action_id", "approver_id", "on_behalf_of_id", "via_role", "kind", "level", "active", "deadline", "created_at", "ended_at", "group_id")
         select ?::uuid, g."action_id", ?::uuid, null, g."via_role", g."kind", g."level", false, g."deadline", g."created_at", ?::timestamptz, g."id" from "group_assignment" g where ?::boolean and g."id" = ?::uuid
         returning "approver_id"
       ), "request" as (
         update "action_request" set "status" = ?, "status_reason" = ?, "decided_at" = ?, "deadline" = ?, "approved_payload" = ?::jsonb, "receipt" = ?, "updated_at" = ?
         where "id" = ?
       )
       select coalesce(array_agg(distinct "approver_id"), '{}') as "ended" from (
         select "approver_id" from "ended" union all select "approver_id" from "left_group" union all select ${GROUP_MEMBERS('groups')}
       ) q`,
      [
        randomUUID(), action.id, approverId, mine.onBehalfOfId, input.verdict, comment, modifiedPayload === null ? null : JSON.stringify(modifiedPayload), action.escalation_level, now,
        ends, action.id,
        now, action.id, ends, mine.id,
        now, ends, action.id,
        randomUUID(), approverId, now, leavesGroup, mine.groupId,
        action.status, action.status_reason, action.decided_at, action.deadline, action.approved_payload === null ? null : JSON.stringify(action.approved_payload), action.receipt, now, action.id,
      ],
    );
    const events = await services.events.inTransaction(sql, [{ actionId: action.id, agentId: action.agent_id, queueChanged: written!.ended }]);
    await appendAudit(sql, audit);
    return { action, events };
  });
  services.events.afterCommit(events);
  // A denial is part of the agent's behaviour: its next submission must see it.
  if (action.status === ActionStatus.DENIED) services.behaviour.forget(action.agent_id);
  return action;
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
    const [assignment] = await tx.execute<{ on_behalf_of_id: string | null }[]>(
      `select "on_behalf_of_id" from ${ENTRIES} where "action_id" = ? and "approver_id" = ? and "kind" = ? limit 1`,
      [action.id, approverId, AssignmentKind.REVIEW],
    );
    if (!assignment) throw AppError.forbidden(`Request ${action.id} was not routed to you for review.`);
    if (await tx.count(Review, { action: action.id, approver: approverId })) {
      throw AppError.conflict(`You already reviewed request ${action.id}.`);
    }
    const now = new Date();
    tx.persist(tx.create(Review, { action, approver: tx.getReference(Approver, approverId), onBehalfOf: assignment.on_behalf_of_id === null ? null : tx.getReference(Approver, assignment.on_behalf_of_id), verdict: input.verdict, comment, at: now }));
    const flagged = input.verdict === ReviewVerdict.FLAG;
    if (flagged || action.reviewStatus === ReviewStatus.UNREVIEWED) {
      action.reviewStatus = flagged ? ReviewStatus.FLAGGED : ReviewStatus.ACKNOWLEDGED;
    }
    const queueChanged = await endAssignments(tx, action.id, now);
    return {
      result: action,
      queueChanged: [...new Set([...queueChanged, approverId])],
      audit: [{ kind: flagged ? 'ACTION_FLAGGED' : 'ACTION_ACKNOWLEDGED', subjectType: 'ACTION', subjectId: action.id, actorType: 'APPROVER', actorId: approverId, at: now, data: { comment, onBehalfOf: assignment.on_behalf_of_id } }],
    };
  });
}
