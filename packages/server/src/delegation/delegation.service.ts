import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid, validName, validText } from '../shared/validate.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { appendAudit } from '../audit/audit.service.js';
import { pageByCreation, type ConnectionShape } from '../db/paging.js';
import { Approver } from '../principals/approver.entity.js';
import { Timer, TimerKind } from '../escalation/timer.entity.js';
import type { Services } from '../services.js';
import { Delegation } from './delegation.entity.js';
import type { DelegationInput } from './delegation.inputs.js';
import { lockDelegations } from './rules.js';
import { NOTHING_MOVED, reassignPending } from './reassignment.js';
import { canSee, createdByRef, delegatorOf, validActionTypePattern, validScope, validWindow } from './validation.js';

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

async function approverNamedIn(tx: EntityManager, id: string, field: 'fromApproverId' | 'toApproverId'): Promise<Approver> {
  const approver = isUuid(id) ? await tx.findOne(Approver, { id }) : null;
  if (!approver) throw AppError.badInput(`${field} ${id} is not an approver.`, field);
  return approver;
}
