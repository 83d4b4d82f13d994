import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Approver } from '../principals/approver.entity.js';
import type { DelegationRule } from '../delegation/resolve.js';
import { loadDelegationRules } from '../delegation/rules.js';
import type { SqlExecutor } from '../db/sql.js';
import { RowBatch } from '../db/row-batch.js';
import type { RecordOf } from '../shared/record.js';
import { ActionRequest, type ActionRecord } from '../actions/action-request.entity.js';
import { ApproverSet, Assignment, AssignmentKind, GroupAssignment } from './assignment.entity.js';
import type { AuditEntry } from '../audit/audit.service.js';
import { GROUP_MEMBERS } from './entries.js';
import { readDirectory, type DirectorySnapshot } from './directory.js';
import { approverSetId, type GroupingOptions } from './approver-sets.js';
import { Timer, TimerKind } from './timer.entity.js';
import { currentIndex, nextLevel, positionOf, resolveLevelAssignees, toLevelChain, type Assignee, type ChainSnapshot, type EscalationStep, type LevelSpec } from './levels.js';

export interface LevelAssignment {
  step: EscalationStep | null;
  /** Approvers who had this request in their queue before and no longer do. */
  removed: string[];
  /** Approvers who have it now. */
  added: Assignee[];
  /**
   * How the audit event of the assignment names them: `assignees` one by one, and
   * `groups`, each the members of an approver set reached the same way (`viaRole`, none
   * delegated), by the set's id — its members are in the chain's APPROVER_SET_RECORDED.
   */
  recorded: { assignees: Assignee[]; groups: AssignedGroup[] };
  /** Events to append before the one that records the assignment: the sets stored for the first time. */
  audit: AuditEntry[];
}

/** A group of a level's assignees, as its audit event names it. */
export interface AssignedGroup {
  viaRole: string | null;
  set: string;
  size: number;
}

/** A level's assignees as they are stored: one row each, or as groups of one approver set each. */
interface StoragePlan {
  from: number;
  single: Assignee[];
  groups: { members: Assignee[]; viaRole: string | null; setId: string }[];
}

/**
 * Plans by the resolution they came from: a resolution remembered with the directory
 * (DirectorySnapshot.resolved) is planned, and its sets hashed, once.
 */
const plans = new WeakMap<readonly Assignee[], StoragePlan>();

function planOf(assignees: readonly Assignee[], from: number): StoragePlan {
  const known = plans.get(assignees);
  if (known && known.from === from) return known;
  const { single, groups } = partition(assignees, from);
  const plan = {
    from,
    single,
    groups: groups.map((members) => ({ members, viaRole: members[0]!.viaRole, setId: approverSetId(members.map((m) => m.approverId)) })),
  };
  plans.set(assignees, plan);
  return plan;
}

/**
 * The assignees stored as groups: those who stand in for nobody, by the role that brought
 * them in (or none), where there are at least `from` of them; the rest one row each.
 */
function partition(assignees: readonly Assignee[], from: number): { single: Assignee[]; groups: Assignee[][] } {
  if (assignees.length < from) return { single: [...assignees], groups: [] };
  const byWay = new Map<string | null, Assignee[]>();
  const single: Assignee[] = [];
  for (const a of assignees) {
    if (a.onBehalfOf !== null) {
      single.push(a);
      continue;
    }
    let same = byWay.get(a.viaRole);
    if (!same) byWay.set(a.viaRole, (same = []));
    same.push(a);
  }
  const groups: Assignee[][] = [];
  for (const same of byWay.values()) {
    if (same.length >= from) groups.push(same);
    else single.push(...same);
  }
  return { single, groups };
}

/**
 * Moves a request to the next level of its chain that has anyone available: ends the
 * current assignments, creates the new ones, sets level, deadline and the level's timer.
 * Returns `step: null` when no level is left (the caller expires or denies the request).
 * Runs inside the caller's transaction.
 */
export async function assignNextLevel(
  tx: EntityManager | RowBatch,
  action: ActionRecord,
  kind: AssignmentKind,
  options: {
    now: Date;
    ownerId: string | null;
    policyRequiredApprovals: number;
    /** When to warn that the level is about to time out, as a fraction of its timeout (null: never). */
    aboutToExpireFraction: number | null;
    /** The directory to resolve from; read now when not given. */
    directory?: DirectorySnapshot;
    rules?: DelegationRule[];
    grouping: GroupingOptions;
  },
): Promise<LevelAssignment> {
  const chain = action.chainSnapshot as ChainSnapshot;
  const snapshot = options.directory ?? (await readDirectory(tx));
  const directory = snapshot.approvers;
  const rules = options.rules ?? (await loadDelegationRules(tx, options.now));
  const ctx = { at: options.now, actionType: action.type, excludeApproverIds: options.ownerId ? [options.ownerId] : [] };
  // With no delegation in force the answer depends only on the directory, the level and the
  // owner: the directory's snapshot remembers it (a role of 1,000 takes ~1 ms to resolve).
  const remembered = rules.length === 0 ? snapshot.resolved : null;
  const resolve = (level: LevelSpec): Assignee[] => {
    if (!remembered) return resolveLevelAssignees(level, directory, ctx, rules);
    const key = `${options.ownerId ?? ''}\u0000${JSON.stringify(level.approvers)}`;
    let assignees = remembered.get(key);
    if (!assignees) remembered.set(key, (assignees = resolveLevelAssignees(level, directory, ctx, rules)));
    return assignees;
  };
  const step = nextLevel(toLevelChain(chain), currentIndex(action, chain), resolve);

  // A request being routed for the first time has no assignments to end.
  const removed = action.escalationLevel === null ? [] : await endAssignments(tx, action.id, options.now);
  if (step === null) return { step, removed, added: [], recorded: { assignees: [], groups: [] }, audit: [] };

  const { level, round } = positionOf(chain, step.index);
  action.escalationLevel = level;
  action.escalationRound = round;
  action.deadline = new Date(options.now.getTime() + step.level.timeoutSeconds * 1000);
  action.requiredApprovals = Math.max(options.policyRequiredApprovals, step.level.requiredApprovals ?? 1);
  const rows = newRows(tx, action);
  const deadline = kind === AssignmentKind.APPROVAL ? action.deadline : null;
  const { single, groups } = planOf(step.assignees, options.grouping.from);
  for (const assignee of single) {
    rows.assignment({
      id: randomUUID(),
      approverId: assignee.approverId,
      onBehalfOfId: assignee.onBehalfOf ?? null,
      viaRole: assignee.viaRole,
      kind,
      level,
      active: true,
      deadline,
      createdAt: options.now,
      endedAt: null,
    });
  }
  const recorded: LevelAssignment['recorded'] = { assignees: single, groups: [] };
  const audit: AuditEntry[] = [];
  for (const { members, viaRole, setId } of groups) {
    const set = await options.grouping.sets.store(tx, members.map((m) => m.approverId), options.now, setId);
    if (set.audit) audit.push(set.audit);
    rows.group({ id: randomUUID(), setId: set.id, viaRole, kind, level, active: true, deadline, createdAt: options.now, endedAt: null });
    recorded.groups.push({ viaRole, set: set.id, size: members.length });
  }
  if (kind === AssignmentKind.APPROVAL) {
    rows.timer({ id: randomUUID(), kind: TimerKind.ESCALATE, delegationId: null, level, round, dueAt: action.deadline, createdAt: options.now });
    if (options.aboutToExpireFraction !== null) {
      const warnAt = new Date(options.now.getTime() + step.level.timeoutSeconds * 1000 * options.aboutToExpireFraction);
      rows.timer({ id: randomUUID(), kind: TimerKind.ABOUT_TO_EXPIRE, delegationId: null, level, round, dueAt: warnAt, createdAt: options.now });
    }
  }
  return { step, removed, added: step.assignees, recorded, audit };
}

type AssignmentRow = Omit<Assignment, 'action' | 'approver' | 'onBehalfOf' | 'group'> & { approverId: string; onBehalfOfId: string | null };
type GroupRow = Omit<GroupAssignment, 'action' | 'set'> & { setId: string };
type TimerRow = Omit<Timer, 'action'>;

/**
 * Where a level's new assignments and timers go: a submission adds them as records to its
 * group's RowBatch; an escalation, delegation or timer persists entities.
 */
function newRows(tx: EntityManager | RowBatch, action: ActionRecord): { assignment(row: AssignmentRow): void; group(row: GroupRow): void; timer(row: TimerRow): void } {
  if (tx instanceof RowBatch) {
    const ref = { id: action.id };
    return {
      // Spelled out rather than `({ approverId, onBehalfOfId, ...row })`: V8's object rest
      // copies property by property, ~2 µs a row, 2 ms for a role of 1,000.
      assignment: (row) =>
        tx.add(Assignment, {
          id: row.id, kind: row.kind, level: row.level, viaRole: row.viaRole, active: row.active, deadline: row.deadline, createdAt: row.createdAt, endedAt: row.endedAt,
          action: ref, approver: { id: row.approverId }, onBehalfOf: row.onBehalfOfId ? { id: row.onBehalfOfId } : null, group: null,
        } satisfies RecordOf<Assignment, 'action' | 'approver' | 'onBehalfOf' | 'group'>),
      group: ({ setId, ...row }) => tx.add(GroupAssignment, { ...row, action: ref, set: { id: setId } } satisfies RecordOf<GroupAssignment, 'action' | 'set'>),
      timer: (row) => tx.add(Timer, { ...row, action: ref }),
    };
  }
  const ref = tx.getReference(ActionRequest, action.id);
  return {
    assignment: ({ approverId, onBehalfOfId, ...row }) =>
      tx.persist(tx.create(Assignment, {
        ...row,
        action: ref,
        approver: tx.getReference(Approver, approverId),
        onBehalfOf: onBehalfOfId ? tx.getReference(Approver, onBehalfOfId) : null,
      })),
    group: ({ setId, ...row }) => tx.persist(tx.create(GroupAssignment, { ...row, action: ref, set: tx.getReference(ApproverSet, setId) })),
    timer: (row) => tx.persist(tx.create(Timer, { ...row, action: ref })),
  };
}

/** Ends a request's active assignments, stored one by one or as groups; returns whose queues lost it. */
export async function endAssignments(tx: SqlExecutor, actionId: string, now: Date): Promise<string[]> {
  const rows = await tx.execute<{ approver_id: string }[]>(
    `with "rows" as (
       update "assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" returning "approver_id"
     ), "groups" as (
       update "group_assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" returning "id", "set_id"
     )
     select "approver_id" from "rows" union select ${GROUP_MEMBERS('groups')}`,
    [now, actionId, now, actionId],
  );
  return rows.map((r) => r.approver_id);
}
