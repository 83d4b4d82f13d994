import type { EscalationChain as ChainDocument } from '@countersign/governance';
import { resolveDelegate, type DelegationRule } from '../delegation/resolve.js';

// Escalation levels (DESIGN §2 steps 6–7): who is assigned at each level of a chain, and
// which level comes next when one times out.

/** An approver as the routing logic needs to see them. */
export type ApproverRef = { id: string; name: string; roles: string[]; active: boolean };

/** One level of an escalation chain, as the governance document declares it. */
export type LevelSpec = {
  /** Everyone holding `role` or any of `roles`, and everyone listed by name in `names`. */
  approvers: { role?: string; roles?: string[]; names?: string[] };
  timeoutSeconds: number;
  requiredApprovals?: number;
};

/** A person who may decide at the current level, and why they are there. */
export type Assignee = {
  approverId: string;
  /** The approver this person stands in for through a delegation, or `null`. */
  onBehalfOf: string | null;
  /** The level role that brought the original approver in; `null` when named directly. */
  viaRole: string | null;
};

/** What the level must exclude and when it is resolved. */
export type AssignmentContext = {
  at: Date;
  actionType: string;
  /** People who must not decide, such as the agent's owner (separation of duties). */
  excludeApproverIds: string[];
};

/**
 * Everyone who may decide at `level`: the active approvers holding one of its roles or
 * named in it, each replaced by their delegate where a delegation applies.
 *
 * Excluded people are kept out twice over: they are not assigned, and nobody decides on
 * their behalf (an owner's delegate would be the owner's vote by proxy); a delegation
 * that leads to an excluded person stops before them, like one that leads to an inactive
 * person, so the delegator keeps the request.
 *
 * One person, one vote: each person appears once, however many roles, names or
 * delegations bring them in — in their own right when they are also there themselves,
 * otherwise for the first approver (in directory order) who delegated to them.
 * An approver named in the level counts as named (`viaRole` null) even when they also
 * hold one of its roles, so role-scoped delegations do not move them; otherwise `viaRole`
 * is the first of the level's roles they hold.
 */
export function resolveLevelAssignees(
  level: LevelSpec,
  directory: readonly ApproverRef[],
  ctx: AssignmentContext,
  rules: readonly DelegationRule[],
): Assignee[] {
  const roles = [level.approvers.role, ...(level.approvers.roles ?? [])].filter((r) => r !== undefined);
  const names = new Set(level.approvers.names ?? []);
  const excluded = new Set(ctx.excludeApproverIds);
  const byId = new Map(directory.map((approver) => [approver.id, approver]));
  const mayDecide = (id: string) => byId.get(id)?.active === true && !excluded.has(id);

  const byDecider = new Map<string, Assignee>();
  for (const approver of directory) {
    if (!mayDecide(approver.id)) continue;
    const viaRole = names.has(approver.name) ? null : roles.find((role) => approver.roles.includes(role));
    if (viaRole === undefined) continue;

    const { approverId, onBehalfOf } = resolveDelegate(
      approver.id,
      { at: ctx.at, actionType: ctx.actionType, viaRole },
      rules,
      mayDecide,
    );
    const seen = byDecider.get(approverId);
    if (seen === undefined || (seen.onBehalfOf !== null && onBehalfOf === null)) {
      byDecider.set(approverId, { approverId, onBehalfOf, viaRole });
    }
  }
  return [...byDecider.values()];
}

/** An escalation chain: its levels, run through `repeat + 1` times in all. */
export type EscalationChain = { levels: readonly LevelSpec[]; repeat?: number };

/**
 * A step of an escalation: which level is current, in which round, and who is assigned.
 *
 * `index` is the absolute step, `round * levels.length + position`: it only ever grows,
 * so the server stores it as the request's escalation cursor and passes it back to
 * {@link nextLevel} when the step times out. The level's place in the chain is
 * `index % levels.length` (add 1 to show "level 2 of 3").
 */
export type EscalationStep = {
  index: number;
  /** 0 on the first pass through the chain, 1 on the first repeat, and so on. */
  round: number;
  level: LevelSpec;
  assignees: Assignee[];
};

/**
 * The step after `fromIndex` (-1 to start the chain): the next level that has anyone to
 * assign, skipping levels that resolve to nobody, going round the chain again while
 * `repeat` allows. `null` when no step is left: the request EXPIRES (fail closed).
 *
 * `resolve` is called for each level tried, so it sees who is available now.
 *
 * @throws RangeError when `fromIndex` is not a whole number from -1, or `repeat` not a
 *   whole number from 0.
 */
export function nextLevel(
  chain: EscalationChain,
  fromIndex: number,
  resolve: (level: LevelSpec) => Assignee[],
): EscalationStep | null {
  const repeat = chain.repeat ?? 0;
  if (!Number.isSafeInteger(fromIndex) || fromIndex < -1) {
    throw new RangeError(`fromIndex must be a whole number from -1, got ${fromIndex}`);
  }
  if (!Number.isSafeInteger(repeat) || repeat < 0) {
    throw new RangeError(`repeat must be a whole number from 0, got ${repeat}`);
  }

  const { levels } = chain;
  const steps = levels.length * (repeat + 1);
  for (let index = fromIndex + 1; index < steps; index++) {
    const level = levels[index % levels.length];
    const assignees = resolve(level);
    if (assignees.length > 0) return { index, round: Math.floor(index / levels.length), level, assignees };
  }
  return null;
}

/**
 * How many different people could ever vote on a request in `chain`: everyone any of its
 * levels reaches, counted once, without the excluded (the agent's owner). A quorum above
 * it cannot be reached, however the levels escalate, so the request can only expire.
 */
export function reachableVoters(chain: EscalationChain, directory: readonly ApproverRef[], ctx: AssignmentContext, rules: readonly DelegationRule[] = []): number {
  const people = new Set<string>();
  for (const level of chain.levels) for (const assignee of resolveLevelAssignees(level, directory, ctx, rules)) people.add(assignee.approverId);
  return people.size;
}

/**
 * The chain a request was routed to, as stored on the request: a pending request keeps
 * the chain of the governance version that routed it, whatever is applied later.
 */
export type ChainSnapshot = ChainDocument;

/** The chain in the shape the level logic works on. */
export function toLevelChain(chain: ChainSnapshot): EscalationChain {
  return {
    repeat: chain.repeat,
    levels: chain.levels.map((level) => ({
      approvers: { roles: [...level.approvers.roles], names: [...level.approvers.names] },
      timeoutSeconds: level.timeout,
      requiredApprovals: level.requiredApprovals,
    })),
  };
}

/** Absolute position in a (possibly repeating) chain → the request's 1-based level and round. */
export function positionOf(chain: ChainSnapshot, index: number): { level: number; round: number } {
  return { level: (index % chain.levels.length) + 1, round: Math.floor(index / chain.levels.length) };
}

/** The absolute position of the level a request is at now (-1 before the first). */
export function currentIndex(request: { escalationLevel: number | null; escalationRound: number }, chain: ChainSnapshot): number {
  if (request.escalationLevel === null) return -1;
  return request.escalationRound * chain.levels.length + request.escalationLevel - 1;
}
