import { resolveLevelAssignees, type ApproverRef, type Assignee, type LevelSpec } from '../escalation/levels.js';
import type { HeldAssignment } from '../escalation/assignments.js';
import type { DelegationRule } from './resolve.js';

export type { HeldAssignment };

// The reassignment planner (DESIGN §2 step 7): when a delegation starts, ends or is
// revoked, which pending requests it moves, and for each, which assignments end and which
// start, on whose behalf. Plain data in, plain data out; delegation/reassignment.ts reads
// the requests, locks them and applies the plans.

/** A request waiting for approval at some level, as far as re-resolution cares. */
export interface WaitingRequest {
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
  assigned: HeldAssignment[];
  /** Approvers who already voted on it, and the people whose votes those counted as. */
  voters: string[];
  votedSeats: Set<string>;
}

/** What a delegation change does to one request. */
export interface AssigneeChange {
  ended: HeldAssignment[];
  started: Assignee[];
  /** Approvers whose queue gained the request, and whose queue lost it (not those who merely now act for someone else). */
  gained: string[];
  lost: string[];
  /** Both of the above. */
  queueChanged: string[];
}

/**
 * The planner for one delegation change: given the delegations in force now (`rules`,
 * which hold `changed` if it is still in force) it answers, for a waiting request, the
 * change to make, or null when the request is left as it is.
 *
 * A request is touched only when `changed` makes a difference to it: its assignees with
 * that delegation in force differ from those without it. It is then re-resolved with all
 * of `rules` — exactly what a fresh assignment at its level would give now.
 */
export function planReassignment(
  directory: readonly ApproverRef[],
  rules: readonly DelegationRule[],
  changed: DelegationRule,
  at: Date,
): (request: WaitingRequest) => AssigneeChange | null {
  const others = rules.filter((rule) => rule.id !== changed.id);
  const withIt = [...others, { ...changed, endsAt: null, revokedAt: null }];
  return (request) => {
    const resolve = (ruleSet: readonly DelegationRule[]) => assigneesOf(request, directory, ruleSet, at);
    if (sameAssignees(resolve(withIt), resolve(others))) return null;
    return diffAssignees(request.assigned, resolve(rules));
  };
}

/**
 * Who should hold the request's current level under `rules`: the level's people after
 * delegation, never the owner, and nobody whose vote — or whose seat's vote — is already
 * counted. Voters are excluded from resolution, not just filtered out after it, so a
 * delegation towards someone who already voted stops before them and the delegator keeps
 * their own vote.
 */
export function assigneesOf(request: WaitingRequest, directory: readonly ApproverRef[], rules: readonly DelegationRule[], at: Date): Assignee[] {
  const excludeApproverIds = [...(request.ownerId === null ? [] : [request.ownerId]), ...request.voters];
  return resolveLevelAssignees(request.level, directory, { at, actionType: request.type, excludeApproverIds }, rules)
    .filter((a) => !request.votedSeats.has(a.onBehalfOf ?? a.approverId));
}

/**
 * The assignments to end and to create to go from `before` to `after`, or null when
 * nothing changes. Also null when `after` is empty: re-resolution never takes a request
 * away from everyone (that only happens when the directory changed, not a delegation);
 * the level's timeout escalates it as usual.
 */
export function diffAssignees(before: readonly HeldAssignment[], after: readonly Assignee[]): AssigneeChange | null {
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

/** The same people holding the same seats, in any order. */
export function sameAssignees(a: readonly Assignee[], b: readonly Assignee[]): boolean {
  const key = (x: Assignee) => `${x.approverId}/${x.onBehalfOf ?? ''}`;
  const keys = new Set(a.map(key));
  return a.length === b.length && b.every((x) => keys.has(key(x)));
}

/** An assignee as the audit log names them (without the storage's ids). */
export function publicAssignee({ approverId, onBehalfOf, viaRole }: Assignee): Assignee {
  return { approverId, onBehalfOf, viaRole };
}
