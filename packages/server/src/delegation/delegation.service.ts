import type { EntityManager } from '@mikro-orm/postgresql';
import { ENTRIES } from '../escalation/entries.js';
import type { FilterQuery } from '@mikro-orm/core';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid, validName, validText } from '../shared/validate.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import type { ChangeEvent } from '../events/event-bus.js';
import { pageByCreation, type ConnectionShape } from '../db/paging.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { Assignment, AssignmentKind, GroupAssignment } from '../escalation/assignment.entity.js';
import { Timer, TimerKind } from '../escalation/timer.entity.js';
import { loadDirectory } from '../escalation/directory.js';
import { resolveLevelAssignees, toLevelChain, type ApproverRef, type Assignee, type ChainSnapshot, type LevelSpec } from '../escalation/levels.js';
import { loadDelegationRules, lockDelegations } from './rules.js';
import type { Services } from '../services.js';
import { Delegation } from './delegation.entity.js';
import type { DelegationRule } from './resolve.js';
import type { DelegationInput } from './delegation.inputs.js';

// Delegations (DESIGN §2 step 7): creating, revoking and listing them, and moving requests
// already pending when one starts, ends or is revoked — so nothing waits on someone away.

// ---------------------------------------------------------------------------------------
// Create, revoke, list
// ---------------------------------------------------------------------------------------

/**
 * An approver hands their approvals to someone else for a window; an admin may do it for
 * any approver. In one transaction: the delegation, its DELEGATION timers (at a future
 * start and at the end, stored as rows so that whichever instance is alive applies each
 * boundary, exactly once), and — when it starts at once — the move of the requests
 * already pending with the delegator to the delegate. Cycles are allowed: resolution
 * falls back to the original approver, so a cycle can never strand a request.
 *
 * @throws FORBIDDEN when an approver names someone else as `fromApproverId`.
 * @throws BAD_USER_INPUT naming the field: an unknown approver, an inactive delegate,
 *   delegating to oneself, `endsAt` not after `startsAt` or already past, bad scope names.
 */
export async function createDelegation(em: EntityManager, services: Services, by: Principal, input: DelegationInput): Promise<Delegation> {
  const now = new Date();
  const fromId = delegatorOf(by, input);
  const { startsAt, endsAt } = validWindow(input, now);
  const roles = validScope(input.roles, 'roles', validName);
  const actionTypes = validScope(input.actionTypes, 'actionTypes', validActionTypePattern);
  const reason = validText(input.reason, 'reason', 2000);

  const { delegation, events } = await em.transactional(async (tx) => {
    await lockDelegations(tx);
    const from = await approverNamedIn(tx, fromId, 'fromApproverId');
    const to = await approverNamedIn(tx, input.toApproverId, 'toApproverId');
    if (to.id === from.id) throw AppError.badInput('A delegation must hand over to someone else, not to the delegator.', 'toApproverId');
    if (!to.active) throw AppError.badInput(`Approver ${to.name} is inactive and could not decide in anyone's place.`, 'toApproverId');

    const delegation = tx.create(Delegation, { from, to, startsAt, endsAt, roles, actionTypes, reason, createdBy: createdByRef(by), createdAt: now });
    tx.persist(delegation);
    const boundaries = [startsAt > now ? startsAt : null, endsAt].filter((at) => at !== null);
    for (const dueAt of boundaries) {
      tx.persist(tx.create(Timer, { kind: TimerKind.DELEGATION, delegationId: delegation.id, dueAt, createdAt: now }));
    }
    await tx.flush();

    const moved = startsAt <= now
      ? await reassignPending(tx, { cause: 'DELEGATION_STARTED', delegation, actor: actorRef(by) }, now)
      : NOTHING_MOVED;
    await appendAudit(tx, [
      {
        kind: 'DELEGATION_CREATED', subjectType: 'DELEGATION', subjectId: delegation.id, ...actorRef(by), at: now,
        data: { fromApproverId: from.id, toApproverId: to.id, startsAt, endsAt, roles, actionTypes, reason, reassignedRequests: moved.events.length },
      },
      ...moved.audit,
    ]);
    return { delegation, events: await services.events.inTransaction(tx, moved.events) };
  });
  services.events.afterCommit(events);
  return delegation;
}

/**
 * Ends a delegation now, and hands the requests it had moved back (or on to whoever the
 * remaining delegations name). The delegator may revoke it, and so may the delegate — a
 * delegate who cannot cover must be able to decline rather than sit on someone's
 * approvals — and admins always. To anyone else it does not exist (NOT_FOUND), as with
 * requests: its existence is information.
 *
 * @throws CONFLICT when it was already revoked or has already ended.
 */
export async function revokeDelegation(em: EntityManager, services: Services, by: Principal, id: string): Promise<Delegation> {
  if (!isUuid(id)) throw AppError.notFound('Delegation', id);
  const now = new Date();
  const { delegation, events } = await em.transactional(async (tx) => {
    await lockDelegations(tx);
    const delegation = await tx.findOne(Delegation, { id });
    if (!delegation || !canSee(by, delegation)) throw AppError.notFound('Delegation', id);
    if (delegation.revokedAt !== null) {
      throw AppError.conflict(`Delegation ${id} was already revoked at ${delegation.revokedAt.toISOString()}.`, { revokedAt: delegation.revokedAt.toISOString() });
    }
    if (delegation.endsAt !== null && delegation.endsAt <= now) {
      throw AppError.conflict(`Delegation ${id} already ended at ${delegation.endsAt.toISOString()}.`, { endsAt: delegation.endsAt.toISOString() });
    }
    const wasInForce = delegation.startsAt <= now;
    delegation.revokedAt = now;
    // Its boundaries no longer matter. A timer another instance is firing right now is
    // skipped rather than waited for (it holds the timer row and waits for our lock);
    // fired late, it finds the delegation revoked and does nothing.
    await tx.execute(
      'delete from "timer" where "id" in (select "id" from "timer" where "delegation_id" = ? for update skip locked)',
      [delegation.id],
    );
    await tx.flush();

    const moved = wasInForce
      ? await reassignPending(tx, { cause: 'DELEGATION_REVOKED', delegation, actor: actorRef(by) }, now)
      : NOTHING_MOVED;
    await appendAudit(tx, [
      {
        kind: 'DELEGATION_REVOKED', subjectType: 'DELEGATION', subjectId: delegation.id, ...actorRef(by), at: now,
        data: { fromApproverId: delegation.from.id, toApproverId: delegation.to.id, wasInForce, reassignedRequests: moved.events.length },
      },
      ...moved.audit,
    ]);
    return { delegation, events: await services.events.inTransaction(tx, moved.events) };
  });
  services.events.afterCommit(events);
  return delegation;
}

/** Filters of the `delegations` query. */
export interface DelegationFilter {
  first?: number | null;
  after?: string | null;
  /** Only delegations from or to this approver. */
  approverId?: string | null;
  /** Only those in force now (true), or only those not (false: scheduled, ended, revoked). */
  active?: boolean | null;
}

/**
 * Delegations, newest first. Approvers see the ones from or to them (DESIGN §5: what
 * concerns them); admins see all.
 */
export function listDelegations(em: EntityManager, by: Principal, filter: DelegationFilter): Promise<ConnectionShape<Delegation>> {
  const now = new Date();
  const conditions: FilterQuery<Delegation>[] = [];
  switch (by.kind) {
    case PrincipalKind.ADMIN:
      break;
    case PrincipalKind.APPROVER:
      conditions.push({ $or: [{ from: by.id }, { to: by.id }] });
      break;
    case PrincipalKind.AGENT:
      throw AppError.forbidden('Agents have no delegations.');
    default:
      return assertNever(by);
  }
  if (filter.approverId !== null && filter.approverId !== undefined) {
    if (!isUuid(filter.approverId)) throw AppError.badInput(`approverId "${filter.approverId}" is not an approver id.`, 'approverId');
    conditions.push({ $or: [{ from: filter.approverId }, { to: filter.approverId }] });
  }
  if (filter.active === true) {
    conditions.push({ revokedAt: null, startsAt: { $lte: now }, $or: [{ endsAt: null }, { endsAt: { $gt: now } }] });
  } else if (filter.active === false) {
    conditions.push({ $or: [{ revokedAt: { $ne: null } }, { startsAt: { $gt: now } }, { endsAt: { $lte: now } }] });
  }
  const where: FilterQuery<Delegation> = conditions.length > 0 ? { $and: conditions } : {};
  return pageByCreation(em, Delegation, where, filter, { newestFirst: true });
}

// ---------------------------------------------------------------------------------------
// Boundaries fired by the timer worker
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Re-resolving pending requests
// ---------------------------------------------------------------------------------------

type ReassignCause = 'DELEGATION_STARTED' | 'DELEGATION_ENDED' | 'DELEGATION_REVOKED';

interface Reassignment {
  cause: ReassignCause;
  delegation: Delegation;
  /** Who caused it: the principal who created or revoked it, or SYSTEM at a timer. */
  actor: { actorType: string; actorId: string | null };
}

interface Moved {
  audit: AuditEntry[];
  events: ChangeEvent[];
}

const NOTHING_MOVED: Moved = { audit: [], events: [] };

/** A request waiting for approval at some level, as far as re-resolution cares. */
interface WaitingRequest {
  id: string;
  agentId: string;
  type: string;
  /** 1-based, as stored on the request and on its assignments. */
  levelNumber: number;
  level: LevelSpec;
  deadline: Date | null;
  /** The agent's owner: never assigned (separation of duties). */
  ownerId: string | null;
  /** Its active APPROVAL assignments (`groupId`: the group assignment the person is in, when they are in one). */
  assigned: (Assignee & { assignmentId: string; groupId: string | null; createdAt: Date })[];
  /** Approvers who already voted on it, and the people whose votes those counted as. */
  voters: string[];
  votedSeats: Set<string>;
}

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
async function reassignPending(tx: EntityManager, change: Reassignment, now: Date): Promise<Moved> {
  const directory = await loadDirectory(tx);
  const rules = await loadDelegationRules(tx, now);
  const others = rules.filter((rule) => rule.id !== change.delegation.id);
  const withIt = [...others, { ...toRule(change.delegation), endsAt: null, revokedAt: null }];

  const plan = (request: WaitingRequest): AssigneeChange | null => {
    const resolve = (ruleSet: readonly DelegationRule[]) => assigneesOf(request, directory, ruleSet, now);
    if (sameAssignees(resolve(withIt), resolve(others))) return null;
    return diffAssignees(request.assigned, resolve(rules));
  };

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
  for (const request of requests) {
    const diff = plan(request);
    if (diff === null) continue;
    const endedRows = diff.ended.filter((a) => a.groupId === null).map((a) => a.assignmentId);
    if (endedRows.length > 0) {
      await tx.execute(`update "assignment" set "active" = false, "ended_at" = ? where "id" in (${placeholders(endedRows)})`, [now, ...endedRows]);
    }
    for (const member of diff.ended.filter((a) => a.groupId !== null)) {
      // Out of the group for this request: the row that records their own end.
      tx.persist(tx.create(Assignment, {
        action: tx.getReference(ActionRequest, request.id),
        approver: tx.getReference(Approver, member.approverId),
        viaRole: member.viaRole,
        kind: AssignmentKind.APPROVAL,
        level: request.levelNumber,
        deadline: request.deadline,
        active: false,
        createdAt: member.createdAt,
        endedAt: now,
        group: tx.getReference(GroupAssignment, member.groupId!),
      }));
    }
    for (const assignee of diff.started) {
      tx.persist(tx.create(Assignment, {
        action: tx.getReference(ActionRequest, request.id),
        approver: tx.getReference(Approver, assignee.approverId),
        onBehalfOf: assignee.onBehalfOf === null ? null : tx.getReference(Approver, assignee.onBehalfOf),
        viaRole: assignee.viaRole,
        kind: AssignmentKind.APPROVAL,
        level: request.levelNumber,
        deadline: request.deadline,
        createdAt: now,
      }));
    }
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
 * Who should hold the request's current level under `rules`: the level's people after
 * delegation, never the owner, and nobody whose vote — or whose seat's vote — is already
 * counted. Voters are excluded from resolution, not just filtered out after it, so a
 * delegation towards someone who already voted stops before them and the delegator keeps
 * their own vote.
 */
function assigneesOf(request: WaitingRequest, directory: readonly ApproverRef[], rules: readonly DelegationRule[], at: Date): Assignee[] {
  const excludeApproverIds = [...(request.ownerId === null ? [] : [request.ownerId]), ...request.voters];
  return resolveLevelAssignees(request.level, directory, { at, actionType: request.type, excludeApproverIds }, rules)
    .filter((a) => !request.votedSeats.has(a.onBehalfOf ?? a.approverId));
}

interface AssigneeChange {
  ended: WaitingRequest['assigned'];
  started: Assignee[];
  /** Approvers whose queue gained the request, and whose queue lost it (not those who merely now act for someone else). */
  gained: string[];
  lost: string[];
  /** Both of the above. */
  queueChanged: string[];
}

/**
 * The assignments to end and to create to go from `before` to `after`, or null when
 * nothing changes. Also null when `after` is empty: re-resolution never takes a request
 * away from everyone (that only happens when the directory changed, not a delegation);
 * the level's timeout escalates it as usual.
 */
function diffAssignees(before: WaitingRequest['assigned'], after: Assignee[]): AssigneeChange | null {
  if (after.length === 0) return null;
  const same = (a: Assignee, b: Assignee) => a.approverId === b.approverId && a.onBehalfOf === b.onBehalfOf;
  const ended = before.filter((b) => !after.some((a) => same(a, b)));
  const started = after.filter((a) => !before.some((b) => same(a, b)));
  if (ended.length === 0 && started.length === 0) return null;
  const had = new Set(before.map((a) => a.approverId));
  const has = new Set(after.map((a) => a.approverId));
  const lost = [...had].filter((id) => !has.has(id));
  const gained = [...has].filter((id) => !had.has(id));
  return { ended, started, gained, lost, queueChanged: [...lost, ...gained] };
}

function sameAssignees(a: Assignee[], b: Assignee[]): boolean {
  const key = (x: Assignee) => `${x.approverId}/${x.onBehalfOf ?? ''}`;
  const keys = new Set(a.map(key));
  return a.length === b.length && b.every((x) => keys.has(key(x)));
}

function publicAssignee({ approverId, onBehalfOf, viaRole }: Assignee): Assignee {
  return { approverId, onBehalfOf, viaRole };
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
        and (exists (select 1 from "assignment" a where a."action_id" = r."id" and a."kind" = 'APPROVAL' and a."active")
             or exists (select 1 from "group_assignment" a where a."action_id" = r."id" and a."kind" = 'APPROVAL' and a."active"))`,
    params,
  );
  if (requests.length === 0) return [];
  const assignments = await tx.execute<{
    id: string; action_id: string; approver_id: string; on_behalf_of_id: string | null; via_role: string | null; group_id: string | null; created_at: Date | string;
  }[]>(
    `select a."id", a."action_id", a."approver_id", a."on_behalf_of_id", a."via_role", a."group_id", a."created_at"
       from "action_request" r join ${ENTRIES} a on a."action_id" = r."id"
      where r."status" = 'PENDING' and a."kind" = 'APPROVAL' and a."active" ${only}`,
    params,
  );
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
  for (const a of assignments) {
    byRequest.get(a.action_id)?.assigned.push({
      assignmentId: a.id, groupId: a.group_id, createdAt: new Date(a.created_at), approverId: a.approver_id, onBehalfOf: a.on_behalf_of_id, viaRole: a.via_role,
    });
  }
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

// ---------------------------------------------------------------------------------------
// Validation and access
// ---------------------------------------------------------------------------------------

/** Whose approvals are handed over: an approver's own; an admin names them. */
function delegatorOf(by: Principal, input: DelegationInput): string {
  switch (by.kind) {
    case PrincipalKind.APPROVER:
      if (input.fromApproverId !== null && input.fromApproverId !== undefined && input.fromApproverId !== by.id) {
        throw AppError.forbidden('Approvers delegate their own approvals; only an admin may create a delegation for someone else.');
      }
      return by.id;
    case PrincipalKind.ADMIN:
      if (!input.fromApproverId) {
        throw AppError.badInput('fromApproverId is required when an admin creates a delegation: whose approvals are handed over?', 'fromApproverId');
      }
      return input.fromApproverId;
    case PrincipalKind.AGENT:
      throw AppError.forbidden('Agents cannot delegate.');
    default:
      return assertNever(by);
  }
}

function canSee(by: Principal, delegation: Delegation): boolean {
  switch (by.kind) {
    case PrincipalKind.ADMIN:
      return true;
    case PrincipalKind.APPROVER:
      return delegation.from.id === by.id || delegation.to.id === by.id;
    case PrincipalKind.AGENT:
      return false;
    default:
      return assertNever(by);
  }
}

async function approverNamedIn(tx: EntityManager, id: string, field: 'fromApproverId' | 'toApproverId'): Promise<Approver> {
  const approver = isUuid(id) ? await tx.findOne(Approver, { id }) : null;
  if (!approver) throw AppError.badInput(`${field} ${id} is not an approver.`, field);
  return approver;
}

function validWindow(input: DelegationInput, now: Date): { startsAt: Date; endsAt: Date | null } {
  const startsAt = input.startsAt ?? now;
  const endsAt = input.endsAt ?? null;
  if (endsAt !== null && endsAt <= startsAt) throw AppError.badInput('endsAt must be after startsAt.', 'endsAt');
  if (endsAt !== null && endsAt <= now) throw AppError.badInput('endsAt is in the past: the delegation would never apply.', 'endsAt');
  return { startsAt, endsAt };
}

/** A scope list: null or absent covers everything; an empty list is a mistake, not "nothing". */
function validScope(values: readonly string[] | null | undefined, field: string, valid: (value: string, field: string) => string): string[] | null {
  if (values === null || values === undefined) return null;
  if (values.length === 0) throw AppError.badInput(`${field} is empty: omit it to cover everything, or list what the delegation covers.`, field);
  return [...new Set(values.map((value, i) => valid(value, `${field}[${i}]`)))];
}

/** An action type as submitted (`payments.transfer`), a prefix pattern (`payments.*`), or `*`. */
const ACTION_TYPE_PATTERN = /^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*\.\*|[a-z0-9_-]+(\.[a-z0-9_-]+)+)$/;

function validActionTypePattern(value: string, field: string): string {
  const pattern = value.trim();
  if (pattern.length > 128 || !ACTION_TYPE_PATTERN.test(pattern)) {
    throw AppError.badInput(`${field} "${value}" is not an action type ("payments.transfer") or a prefix pattern ("payments.*").`, field);
  }
  return pattern;
}

/** Stored as `createdBy`: `APPROVER:<id>`, `ADMIN:<id>`, or `ADMIN:bootstrap` for the bootstrap token. */
function createdByRef(by: Principal): string {
  return `${by.kind}:${by.id ?? by.name}`;
}
