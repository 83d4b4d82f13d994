import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { ActionStatus, assertNever } from '../shared/enums.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { StatusReason } from '../actions/status-reason.js';
import { finish } from '../decisions/decisions.service.js';
import { onDelegationBoundary, shareDelegationLock } from '../delegation/delegation.service.js';
import type { ChangeEvent } from '../events/event-bus.js';
import type { Services } from '../services.js';
import { AssignmentKind } from './assignment.entity.js';
import { assignNextLevel } from './escalation.service.js';
import { TimerKind } from './timer.entity.js';

interface DueTimer {
  id: string;
  kind: TimerKind;
  action_id: string | null;
  delegation_id: string | null;
  level: number | null;
  round: number | null;
  due_at: Date;
}

/**
 * Fires due timers, exactly once across however many instances run. Each timer is claimed
 * and handled in its own transaction: `SELECT … FOR UPDATE SKIP LOCKED` takes the oldest
 * due row no other instance holds, the handler acts on the request under the request's own
 * row lock, and the row is deleted in the same transaction — so a timer fires once, and a
 * crash before commit leaves it for the next claimer (deadlines that passed while every
 * instance was down fire at the next start). A timer that no longer matches its request
 * (decided, escalated meanwhile) is deleted without effect.
 */
export class TimerWorker {
  private running = false;
  private wake: (() => void) | null = null;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly services: Services,
    private readonly concurrency: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let fired = false;
      try {
        fired = await this.fireOne();
      } catch (error) {
        this.services.logger.error({ err: error }, 'a timer failed; it will be retried');
      }
      if (!fired && this.running) {
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, this.services.config.timerPollMs);
          this.wake = () => {
            clearTimeout(timeout);
            resolve();
          };
        });
      }
    }
  }

  /** Claims and handles the oldest due timer; false when none is due. */
  async fireOne(now = new Date()): Promise<boolean> {
    const { services } = this;
    const result = await services.orm.em.fork().transactional(async (tx) => {
      const [timer] = await tx.execute<DueTimer[]>(
        'select "id", "kind", "action_id", "delegation_id", "level", "round", "due_at" from "timer" where "due_at" <= ? order by "due_at" limit 1 for update skip locked',
        [now],
      );
      if (!timer) return null;
      const events = await this.handle(tx, timer, now);
      await tx.execute('delete from "timer" where "id" = ?', [timer.id]);
      return services.events.inTransaction(tx, events);
    });
    if (result === null) return false;
    services.events.afterCommit(result);
    return true;
  }

  private async handle(tx: EntityManager, timer: DueTimer, now: Date): Promise<ChangeEvent[]> {
    switch (timer.kind) {
      case TimerKind.ESCALATE:
        return this.escalate(tx, timer, now);
      case TimerKind.ABOUT_TO_EXPIRE:
        return this.warn(tx, timer, now);
      case TimerKind.DELEGATION:
        return timer.delegation_id ? onDelegationBoundary(tx, this.services, timer.delegation_id, now) : [];
      default:
        return assertNever(timer.kind);
    }
  }

  /** The request still waits at the level this timer was set for, or null. */
  private async stillWaiting(tx: EntityManager, timer: DueTimer): Promise<ActionRequest | null> {
    if (!timer.action_id) return null;
    const action = await tx.findOne(ActionRequest, { id: timer.action_id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['agent.owner'] });
    if (!action || action.status !== ActionStatus.PENDING) return null;
    if (action.escalationLevel !== timer.level || action.escalationRound !== timer.round) return null;
    return action;
  }

  /** The level timed out: the next level with anyone available replaces it, or the request expires. */
  private async escalate(tx: EntityManager, timer: DueTimer, now: Date): Promise<ChangeEvent[]> {
    // Before the request's row lock: a delegation change holds its lock while locking rows.
    await shareDelegationLock(tx);
    const action = await this.stillWaiting(tx, timer);
    if (!action) return [];
    const fromLevel = action.escalationLevel;
    const assigned = await assignNextLevel(tx, action, AssignmentKind.APPROVAL, {
      now,
      ownerId: action.agent.owner?.id ?? null,
      policyRequiredApprovals: action.requiredApprovals,
      aboutToExpireFraction: this.services.config.aboutToExpireFraction,
    });
    const audit: AuditEntry[] = [];
    if (assigned.step) {
      audit.push({
        kind: 'ESCALATED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { fromLevel, toLevel: action.escalationLevel, round: action.escalationRound, deadline: action.deadline, assignees: assigned.added, reason: 'TIMEOUT' },
      });
    } else {
      await finish(tx, action, ActionStatus.EXPIRED, StatusReason.TIMED_OUT, now);
      audit.push({
        kind: 'ACTION_EXPIRED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { fromLevel, detail: `Level ${fromLevel} of chain ${action.chain} timed out and no level is left: the action must not run.` },
      });
    }
    action.updatedAt = now;
    await tx.flush();
    await appendAudit(tx, audit);
    const queueChanged = [...new Set([...assigned.removed, ...assigned.added.map((a) => a.approverId)])];
    return [{ actionId: action.id, agentId: action.agent.id, queueChanged }];
  }

  /** Part of the level's time has passed with no decision: record it (notifications follow the audit event). */
  private async warn(tx: EntityManager, timer: DueTimer, now: Date): Promise<ChangeEvent[]> {
    const action = await this.stillWaiting(tx, timer);
    if (!action) return [];
    const assignees = await tx.execute<{ approver_id: string }[]>('select "approver_id" from "assignment" where "action_id" = ? and "active"', [action.id]);
    await appendAudit(tx, [{
      kind: 'ABOUT_TO_EXPIRE', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
      data: { level: action.escalationLevel, deadline: action.deadline, assignees: assignees.map((a) => a.approver_id) },
    }]);
    return [];
  }
}
