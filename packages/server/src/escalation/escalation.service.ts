import { randomUUID } from 'node:crypto';
import type { DelegationRule } from '../delegation/resolve.js';
import { loadDelegationRules } from '../delegation/rules.js';
import type { RowWriter } from '../db/row-writer.js';
import type { RecordOf } from '../shared/record.js';
import type { ActionRecord } from '../actions/action-request.entity.js';
import { AssignmentKind } from './assignment.entity.js';
import { endAssignments, startAssignments, type GroupingOptions, type StartedAssignments } from './assignments.js';
import { readDirectory, type DirectorySnapshot } from './directory.js';
import { Timer, TimerKind } from './timer.entity.js';
import { currentIndex, nextLevel, positionOf, resolveLevelAssignees, toLevelChain, type Assignee, type ChainSnapshot, type EscalationStep, type LevelSpec } from './levels.js';

export interface LevelAssignment extends StartedAssignments {
  step: EscalationStep | null;
  /** Approvers who had this request in their queue before and no longer do. */
  removed: string[];
  /** Approvers who have it now. */
  added: Assignee[];
}

/**
 * Moves a request to the next level of its chain that has anyone available: ends the
 * current assignments, creates the new ones, sets level, deadline and the level's timer.
 * Returns `step: null` when no level is left (the caller expires or denies the request).
 * Runs inside the caller's transaction.
 *
 * A review normally has no deadline; one that `escalates` (a break-glass review, DESIGN §12)
 * gets the level's deadline and timer like an approval, and with `keepWhenNoneLeft` stays
 * with the level that has it when no level is left (it is overdue, not gone).
 */
export async function assignNextLevel(
  writer: RowWriter,
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
    /** A REVIEW with a deadline that escalates like an approval. */
    escalates?: boolean;
    /** When no level is left, keep the current assignments (the caller says it is overdue). */
    keepWhenNoneLeft?: boolean;
  },
): Promise<LevelAssignment> {
  const chain = action.chainSnapshot as ChainSnapshot;
  const snapshot = options.directory ?? (await readDirectory(writer));
  const directory = snapshot.approvers;
  const rules = options.rules ?? (await loadDelegationRules(writer, options.now));
  const ctx = { at: options.now, actionType: action.type, excludeApproverIds: options.ownerId ? [options.ownerId] : [] };
  // With no delegation in force the answer depends only on the directory, the level and the
  // owner: the directory's snapshot remembers it (resolving a large role is the costly part).
  const remembered = rules.length === 0 ? snapshot.resolved : null;
  const resolve = (level: LevelSpec): Assignee[] => {
    if (!remembered) return resolveLevelAssignees(level, directory, ctx, rules);
    const key = `${options.ownerId ?? ''}\u0000${JSON.stringify(level.approvers)}`;
    let assignees = remembered.get(key);
    if (!assignees) remembered.set(key, (assignees = resolveLevelAssignees(level, directory, ctx, rules)));
    return assignees;
  };
  const step = nextLevel(toLevelChain(chain), currentIndex(action, chain), resolve);

  if (step === null && options.keepWhenNoneLeft) return { step, removed: [], added: [], recorded: { assignees: [], groups: [] }, audit: [] };
  // A request being routed for the first time has no assignments to end.
  const removed = action.escalationLevel === null ? [] : await endAssignments(writer, action.id, options.now);
  if (step === null) return { step, removed, added: [], recorded: { assignees: [], groups: [] }, audit: [] };

  const { level, round } = positionOf(chain, step.index);
  action.escalationLevel = level;
  action.escalationRound = round;
  action.deadline = new Date(options.now.getTime() + step.level.timeoutSeconds * 1000);
  action.requiredApprovals = Math.max(options.policyRequiredApprovals, step.level.requiredApprovals ?? 1);
  const timed = kind === AssignmentKind.APPROVAL || options.escalates === true;
  const deadline = timed ? action.deadline : null;
  const started = await startAssignments(writer, action.id, step.assignees, { kind, level, deadline, now: options.now }, options.grouping);
  if (timed) {
    const timer = { action: { id: action.id }, delegationId: null, level, round, createdAt: options.now };
    writer.add(Timer, { ...timer, id: randomUUID(), kind: TimerKind.ESCALATE, dueAt: action.deadline } satisfies RecordOf<Timer, 'action'>);
    // The warning speaks of an approval still needed: reviews go without it.
    if (kind === AssignmentKind.APPROVAL && options.aboutToExpireFraction !== null) {
      const warnAt = new Date(options.now.getTime() + step.level.timeoutSeconds * 1000 * options.aboutToExpireFraction);
      writer.add(Timer, { ...timer, id: randomUUID(), kind: TimerKind.ABOUT_TO_EXPIRE, dueAt: warnAt } satisfies RecordOf<Timer, 'action'>);
    }
  }
  return { step, removed, added: step.assignees, ...started };
}
