import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import type { ChangeEvent } from '../events/event-bus.js';
import { entityWriter } from '../db/row-writer.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { endMembers, hasActiveApproval, pendingApprovalsOf, startEach } from '../escalation/assignments.js';
import { loadDirectory } from '../escalation/directory.js';
import { toLevelChain, type ChainSnapshot } from '../escalation/levels.js';
import type { Services } from '../services.js';
import { Delegation } from './delegation.entity.js';
import type { DelegationRule } from './resolve.js';
import { loadDelegationRules, lockDelegations } from './rules.js';
import { planReassignment, publicAssignee, type AssigneeChange, type WaitingRequest } from './reassignment-plan.js';

// Moving the requests already pending when a delegation starts, ends or is revoked, so
// nothing waits on someone away: reads them, locks those that change, applies the plans
// of reassignment-plan.ts.

/**
 * A delegation's window opened or closed (its DELEGATION timer came due): moves the
 * pending requests it affects, inside the caller's transaction, and returns their change
 * events for the caller to publish (`events.inTransaction`, then `afterCommit`).
 *
 * Safe to call late, twice, or for a delegation that was revoked or deleted meanwhile:
 * the assignees are recomputed from the delegations in force at `now`, so a boundary
 * already applied changes nothing, and a revocation already handed its requests back.
 */
export async function onDelegationBoundary(tx: EntityManager, services: Services, delegationId: string, now: Date): Promise<ChangeEvent[]> {
  await lockDelegations(tx);
  const delegation = await tx.findOne(Delegation, { id: delegationId });
  if (!delegation || delegation.revokedAt !== null || delegation.startsAt > now) return [];
  const cause = delegation.endsAt !== null && delegation.endsAt <= now ? 'DELEGATION_ENDED' : 'DELEGATION_STARTED';
  const moved = await reassignPending(tx, { cause, delegation, actor: { actorType: 'SYSTEM', actorId: null } }, now);
  await appendAudit(tx, moved.audit);
  if (moved.events.length > 0) {
    services.logger.info({ delegationId, cause, requests: moved.events.length }, 'delegation boundary: pending requests reassigned');
  }
  return moved.events;
}

export type ReassignCause = 'DELEGATION_STARTED' | 'DELEGATION_ENDED' | 'DELEGATION_REVOKED';

export interface Reassignment {
  cause: ReassignCause;
  delegation: Delegation;
  /** Who caused it: the principal who created or revoked it, or SYSTEM at a timer. */
  actor: { actorType: string; actorId: string | null };
}

export interface Moved {
  audit: AuditEntry[];
  events: ChangeEvent[];
}

export const NOTHING_MOVED: Moved = { audit: [], events: [] };

/**
 * Recomputes the current level's assignees of every PENDING request that `change`
 * affects: those whose assignees with the delegation in force differ from those without
 * it. Each such request keeps its chain snapshot and level and is re-resolved with the
 * current directory and delegations — exactly what a fresh assignment at that level would
 * give now — under its row lock, with an ASSIGNEES_CHANGED audit event (the assignments
 * ended and started, whose queues gained and lost it) and a change event naming everyone
 * whose queue gained or lost it.
 *
 * The scan reads every waiting request — delegation changes are rare, and a scan cannot
 * miss a request the way narrowing by stored assignees could — but locks only those
 * that change, in id order and in batches, and re-reads them once locked: a decision or
 * an escalation may have moved them in between. ASYNC_REVIEW requests are left as they
 * are: they are already APPROVED, and whoever was routed them may still review them
 * after a delegation ends.
 *
 * Runs inside the caller's transaction, which must hold the delegation lock; returns the
 * audit entries for the caller to append last (the audit head is the most contended lock).
 */
export async function reassignPending(tx: EntityManager, change: Reassignment, now: Date): Promise<Moved> {
  const directory = await loadDirectory(tx);
  const rules = await loadDelegationRules(tx, now);
  const plan = planReassignment(directory, rules, toRule(change.delegation), now);

  const stale = (await loadWaiting(tx)).filter((request) => plan(request) !== null).map((request) => request.id).sort();
  const moved: Moved = { audit: [], events: [] };
  for (let start = 0; start < stale.length; start += LOCK_BATCH) {
    const batch = stale.slice(start, start + LOCK_BATCH);
    await tx.execute(`select "id" from "action_request" where "id" in (${placeholders(batch)}) order by "id" for update`, batch);
    const changed = await applyPlans(tx, await loadWaiting(tx, batch), plan, change, now);
    moved.audit.push(...changed.audit);
    moved.events.push(...changed.events);
  }
  await tx.flush();
  return moved;
}

/** Requests locked and re-read per statement: bounded, whatever the number of pending requests. */
const LOCK_BATCH = 500;

/** Applies each locked request's plan: ends and creates assignments; returns the audit and change events. */
async function applyPlans(
  tx: EntityManager,
  requests: WaitingRequest[],
  plan: (request: WaitingRequest) => AssigneeChange | null,
  change: Reassignment,
  now: Date,
): Promise<Moved> {
  const moved: Moved = { audit: [], events: [] };
  const writer = entityWriter(tx);
  for (const request of requests) {
    const diff = plan(request);
    if (diff === null) continue;
    const terms = { kind: AssignmentKind.APPROVAL, level: request.levelNumber, deadline: request.deadline, now };
    await endMembers(writer, request.id, diff.ended, terms);
    startEach(writer, request.id, diff.started, terms);
    moved.audit.push({
      kind: 'ASSIGNEES_CHANGED', subjectType: 'ACTION', subjectId: request.id, ...change.actor, at: now,
      // What changed, not everyone before and after: a request held by a group of a
      // thousand would otherwise name all of them twice for one person's delegation.
      data: {
        cause: change.cause,
        delegationId: change.delegation.id,
        level: request.levelNumber,
        ended: diff.ended.map(publicAssignee),
        started: diff.started.map(publicAssignee),
        gained: diff.gained,
        lost: diff.lost,
      },
    });
    moved.events.push({ actionId: request.id, agentId: request.agentId, queueChanged: diff.queueChanged });
  }
  if (moved.events.length > 0) {
    // Subscribers to actionUpdated tell versions apart by updatedAt.
    const ids = moved.events.map((e) => e.actionId);
    await tx.execute(`update "action_request" set "updated_at" = ? where "id" in (${placeholders(ids)})`, [now, ...ids]);
  }
  return moved;
}

/**
 * Every PENDING request with an active APPROVAL assignment (or just those in `ids`), with
 * its current level, assignments and votes. Plain rows, not entities: the scan may cover
 * thousands of requests and must re-read fresh values once they are locked.
 */
async function loadWaiting(tx: EntityManager, ids?: string[]): Promise<WaitingRequest[]> {
  const only = ids === undefined ? '' : `and r."id" in (${placeholders(ids)})`;
  const params = ids ?? [];
  const requests = await tx.execute<{
    id: string; agent_id: string; owner_id: string | null; type: string; chain_snapshot: ChainSnapshot; escalation_level: number; deadline: Date | null;
  }[]>(
    `select r."id", r."agent_id", g."owner_id", r."type", r."chain_snapshot", r."escalation_level", r."deadline"
       from "action_request" r join "agent" g on g."id" = r."agent_id"
      where r."status" = 'PENDING' and r."escalation_level" is not null ${only}
        and ${hasActiveApproval('r')}`,
    params,
  );
  if (requests.length === 0) return [];
  const assignments = await pendingApprovalsOf(tx, only, params);
  const votes = await tx.execute<{ action_id: string; approver_id: string; on_behalf_of_id: string | null }[]>(
    `select d."action_id", d."approver_id", d."on_behalf_of_id"
       from "decision" d join "action_request" r on r."id" = d."action_id"
      where r."status" = 'PENDING' ${only}`,
    params,
  );

  const byRequest = new Map<string, WaitingRequest>(requests.map((r) => [r.id, {
    id: r.id,
    agentId: r.agent_id,
    type: r.type,
    levelNumber: r.escalation_level,
    level: toLevelChain(r.chain_snapshot).levels[r.escalation_level - 1]!,
    deadline: r.deadline,
    ownerId: r.owner_id,
    assigned: [],
    voters: [],
    votedSeats: new Set(),
  }]));
  for (const { actionId, ...held } of assignments) byRequest.get(actionId)?.assigned.push(held);
  for (const v of votes) {
    const request = byRequest.get(v.action_id);
    request?.voters.push(v.approver_id);
    request?.votedSeats.add(v.on_behalf_of_id ?? v.approver_id);
  }
  return [...byRequest.values()];
}

function toRule(d: Delegation): DelegationRule {
  return {
    id: d.id, fromApproverId: d.from.id, toApproverId: d.to.id, startsAt: d.startsAt, endsAt: d.endsAt,
    roles: d.roles, actionTypes: d.actionTypes, revokedAt: d.revokedAt,
  };
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
