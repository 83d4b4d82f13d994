import type { EntityManager } from '@mikro-orm/postgresql';
import { ActionStatus, ReviewStatus, assertNever } from '../shared/enums.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { StatusReason } from '../actions/status-reason.js';
import { finish } from '../decisions/decisions.service.js';
import { onDelegationBoundary } from '../delegation/reassignment.js';
import { readDelegationRules, shareDelegationLock } from '../delegation/rules.js';
import type { ChangeEvent } from '../events/event-bus.js';
import type { Services } from '../services.js';
import { AssignmentKind } from './assignment.entity.js';
import { assignNextLevel } from './escalation.service.js';
import { holdersOf } from './assignments.js';
import { entityWriter } from '../db/row-writer.js';
import { readDirectory, type DirectorySnapshot } from './directory.js';
import type { DelegationRule } from '../delegation/resolve.js';
import { TimerKind } from './timer.entity.js';
import { isDatabaseUnavailable } from '../db/faults.js';
import { markReviewOverdue } from '../break-glass/review.js';

/** How often to look again while the database is unavailable. */
const OUTAGE_POLL_MS = 1000;

interface DueTimer {
  id: string;
  kind: TimerKind;
  action_id: string | null;
  delegation_id: string | null;
  level: number | null;
  round: number | null;
  due_at: Date;
}

/** How many due timers one transaction claims and fires together. */
const BATCH = 50;

/** What the timers of one batch share: read once, on first need, inside the batch's transaction. */
interface BatchScope {
  directory?: Promise<DirectorySnapshot>;
  rules?: Promise<DelegationRule[]>;
  audit: AuditEntry[];
}

/**
 * Fires due timers, exactly once across however many instances run. Due timers are claimed
 * in batches, oldest first: `SELECT … FOR UPDATE SKIP LOCKED` takes rows no other instance
 * holds, each handler acts on its request under the request's own row lock, and the
 * batch's rows are deleted in the same transaction — so a timer fires once, and a crash
 * before commit leaves it for the next claimer (deadlines that passed while every instance
 * was down fire at the next start). A timer that no longer matches its request (decided,
 * escalated meanwhile) is deleted without effect.
 *
 * A batch shares one transaction, one read of the approver directory and the delegations,
 * one audit append, one NOTIFY and one delete: a burst of deadlines (a queue that nobody
 * watched over lunch) drains several times faster than one transaction per timer. If a
 * batch fails, its timers are fired one by one, so one bad timer cannot hold up the rest.
 * A DELEGATION timer (which takes the delegation lock exclusively and re-resolves many
 * requests) is fired alone, when it is the oldest due.
 */
export class TimerWorker {
  private running = false;
  private wake: (() => void) | null = null;
  private loops: Promise<void>[] = [];
  /** Whether the last attempt met an unavailable database. */
  private outage = false;

  constructor(
    private readonly services: Services,
    private readonly concurrency: number,
    private readonly batchSize = BATCH,
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
      let fired = 0;
      let pause = this.services.config.timerPollMs;
      try {
        fired = await this.fireDue();
        if (this.outage) this.services.logger.info('the database is back: timers fire again');
        this.outage = false;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          // One line per outage, and a slower pace until it ends; due timers fire when it does.
          if (!this.outage) this.services.logger.warn({ err: error }, 'the database is unavailable: timers wait for it');
          this.outage = true;
          pause = Math.max(pause, OUTAGE_POLL_MS);
        } else this.services.logger.error({ err: error }, 'a timer failed; it will be retried');
      }
      if (fired === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timeout);
            resolve();
          };
        });
      }
    }
  }

  /** Claims and fires a batch of due timers; how many were claimed (0: none is due). */
  async fireDue(now = new Date()): Promise<number> {
    try {
      return await this.fire(now, this.batchSize, null);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      // Fire what this batch would have claimed one at a time: only the failing timer fails.
      this.services.logger.warn({ err: error }, 'a batch of timers failed; firing them one by one');
      const due = await this.services.sql.execute<{ id: string }[]>(
        'select "id" from "timer" where "due_at" <= ? order by "due_at" limit ?',
        [now, this.batchSize],
      );
      let fired = 0;
      for (const { id } of due) {
        try {
          fired += await this.fire(now, 1, id);
        } catch (single) {
          this.services.logger.error({ err: single, timerId: id }, 'a timer failed; it will be retried');
        }
      }
      return fired;
    }
  }

  private async fire(now: Date, limit: number, onlyId: string | null): Promise<number> {
    const { services } = this;
    const result = await services.orm.em.fork().transactional(async (tx) => {
      const claimed = await tx.execute<DueTimer[]>(
        `select "id", "kind", "action_id", "delegation_id", "level", "round", "due_at" from "timer"
          where "due_at" <= ?${onlyId ? ' and "id" = ?' : ''} order by "due_at" limit ? for update skip locked`,
        onlyId ? [now, onlyId, limit] : [now, limit],
      );
      if (claimed.length === 0) return null;
      // A DELEGATION timer goes alone; the others claimed with it are left for the next batch.
      const batch = claimed[0]!.kind === TimerKind.DELEGATION ? [claimed[0]!] : claimed.filter((t) => t.kind !== TimerKind.DELEGATION);
      const scope: BatchScope = { audit: [] };
      // Before any request's row lock: a delegation change holds its lock while locking rows.
      if (batch.some((t) => t.kind === TimerKind.ESCALATE)) await shareDelegationLock(tx);
      // The batch's requests, locked in one statement and one order (by id) by every batch:
      // two batches never wait on each other in a cycle, and nothing else (their agents)
      // is locked with them.
      const actionIds = [...new Set(batch.flatMap((t) => (t.action_id ? [t.action_id] : [])))].sort();
      if (actionIds.length > 0) {
        await tx.execute(`select "id" from "action_request" where "id" in (${actionIds.map(() => '?').join(', ')}) order by "id" for update`, actionIds);
      }
      const events: ChangeEvent[] = [];
      for (const timer of batch) events.push(...(await this.handle(tx, timer, now, scope)));
      await tx.flush();
      await tx.execute(`delete from "timer" where "id" in (${batch.map(() => '?').join(', ')})`, batch.map((t) => t.id));
      const notified = await services.events.inTransaction(tx, events);
      // Last, so the chain head (every writer's wait) is held only for the append and the commit.
      await appendAudit(tx, scope.audit);
      return { count: batch.length, events: notified };
    });
    if (result === null) return 0;
    services.events.afterCommit(result.events);
    return result.count;
  }

  private async handle(tx: EntityManager, timer: DueTimer, now: Date, scope: BatchScope): Promise<ChangeEvent[]> {
    switch (timer.kind) {
      case TimerKind.ESCALATE:
        return this.escalate(tx, timer, now, scope);
      case TimerKind.ABOUT_TO_EXPIRE:
        return this.warn(tx, timer, now, scope);
      case TimerKind.DELEGATION:
        return timer.delegation_id ? onDelegationBoundary(tx, this.services, timer.delegation_id, now) : [];
      default:
        return assertNever(timer.kind);
    }
  }

  /**
   * The request (already locked by the batch) still waits at the level this timer was set
   * for — for a decision, or for the mandatory review of a break-glass approval — or null.
   */
  private async stillWaiting(tx: EntityManager, timer: DueTimer): Promise<ActionRequest | null> {
    if (!timer.action_id) return null;
    const action = await tx.findOne(ActionRequest, { id: timer.action_id }, { populate: ['agent.owner'] });
    if (!action || (action.status !== ActionStatus.PENDING && !awaitsBreakGlassReview(action))) return null;
    if (action.escalationLevel !== timer.level || action.escalationRound !== timer.round) return null;
    return action;
  }

  /** The level timed out: the next level with anyone available replaces it, or the request expires. */
  private async escalate(tx: EntityManager, timer: DueTimer, now: Date, scope: BatchScope): Promise<ChangeEvent[]> {
    const action = await this.stillWaiting(tx, timer);
    if (!action) return [];
    const fromLevel = action.escalationLevel;
    // A break-glass review escalates like an approval, and stays with the last level when none is left.
    const review = awaitsBreakGlassReview(action);
    const assigned = await assignNextLevel(entityWriter(tx), action, review ? AssignmentKind.REVIEW : AssignmentKind.APPROVAL, {
      escalates: true,
      keepWhenNoneLeft: review,
      now,
      ownerId: action.agent.owner?.id ?? null,
      policyRequiredApprovals: action.requiredApprovals,
      aboutToExpireFraction: this.services.config.aboutToExpireFraction,
      directory: await (scope.directory ??= readDirectory(tx)),
      // The delegation lock is already held (shared) by the batch.
      rules: await (scope.rules ??= readDelegationRules(tx, now)),
      grouping: this.services.grouping,
    });
    if (assigned.step) {
      scope.audit.push(...assigned.audit, {
        kind: 'ESCALATED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { fromLevel, toLevel: action.escalationLevel, round: action.escalationRound, deadline: action.deadline, ...assigned.recorded, reason: 'TIMEOUT', ...(review ? { kind: AssignmentKind.REVIEW } : {}) },
      });
    } else if (review) {
      // Already approved (break-glass): nothing to expire. It stays in the last level's queue, overdue, and says so.
      await markReviewOverdue(tx, action.id, now);
      scope.audit.push({
        kind: 'REVIEW_OVERDUE', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { level: fromLevel, deadline: action.deadline, detail: `Nobody acknowledged or flagged this break-glass approval before the last level of chain ${action.chain} timed out: its review is overdue.` },
      });
    } else {
      await finish(tx, action, ActionStatus.EXPIRED, StatusReason.TIMED_OUT, now);
      scope.audit.push({
        kind: 'ACTION_EXPIRED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: { fromLevel, detail: `Level ${fromLevel} of chain ${action.chain} timed out and no level is left: the action must not run.` },
      });
    }
    action.updatedAt = now;
    const queueChanged = [...new Set([...assigned.removed, ...assigned.added.map((a) => a.approverId)])];
    return [{ actionId: action.id, agentId: action.agent.id, queueChanged }];
  }

  /** Part of the level's time has passed with no decision: record it (notifications follow the audit event). */
  private async warn(tx: EntityManager, timer: DueTimer, now: Date, scope: BatchScope): Promise<ChangeEvent[]> {
    const action = await this.stillWaiting(tx, timer);
    if (!action) return [];
    // Who holds it now, as stored: each group by its approver set, not each of its members.
    const holders = await holdersOf(tx, action.id);
    scope.audit.push({
      kind: 'ABOUT_TO_EXPIRE', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
      data: { level: action.escalationLevel, deadline: action.deadline, assignees: holders.assignees, groups: holders.groups },
    });
    return [];
  }
}

/** An approval by break-glass whose mandatory review nobody has given yet (DESIGN §12). */
function awaitsBreakGlassReview(action: ActionRequest): boolean {
  return action.status === ActionStatus.APPROVED && action.statusReason === StatusReason.BREAK_GLASS && action.reviewStatus === ReviewStatus.UNREVIEWED;
}
