import { ActionStatus, Verdict, assertNever } from '../shared/enums.js';

/** One approver's verdict on a request. */
export type Vote = { approverId: string; verdict: Verdict };

/** Where a request stands once a vote is counted. */
export type TallyOutcome =
  | ActionStatus.PENDING
  | ActionStatus.APPROVED
  | ActionStatus.DENIED
  | ActionStatus.CHANGES_REQUESTED;

export type TallyResult = { ok: true; outcome: TallyOutcome } | { ok: false; reason: 'ALREADY_DECIDED_BY_YOU' };

/**
 * Counts `incoming` with the `votes` already cast on a pending request (DESIGN §2 step 8).
 *
 * One person, one vote: a second vote from the same approver is refused rather than
 * counted or allowed to change the first. Any DENY ends the request DENIED and any
 * REQUEST_CHANGES ends it CHANGES_REQUESTED, whatever approvals came before; it is
 * APPROVED once `requiredApprovals` distinct approvers have approved, PENDING until then.
 * If the votes ever disagree, the most restrictive verdict wins: DENY, then
 * REQUEST_CHANGES, then approval — so a tally can never approve what someone denied.
 *
 * @throws RangeError when `requiredApprovals` is not a whole number from 1.
 */
export function tally(votes: readonly Vote[], incoming: Vote, requiredApprovals: number): TallyResult {
  if (!Number.isSafeInteger(requiredApprovals) || requiredApprovals < 1) {
    throw new RangeError(`requiredApprovals must be a whole number from 1, got ${requiredApprovals}`);
  }
  if (votes.some((vote) => vote.approverId === incoming.approverId)) {
    return { ok: false, reason: 'ALREADY_DECIDED_BY_YOU' };
  }
  return { ok: true, outcome: outcomeOf([...votes, incoming], requiredApprovals) };
}

function outcomeOf(votes: readonly Vote[], requiredApprovals: number): TallyOutcome {
  const approvers = new Set<string>();
  let changesRequested = false;
  for (const { approverId, verdict } of votes) {
    switch (verdict) {
      case Verdict.DENY:
        return ActionStatus.DENIED;
      case Verdict.REQUEST_CHANGES:
        changesRequested = true;
        break;
      case Verdict.APPROVE:
        approvers.add(approverId);
        break;
      default:
        return assertNever(verdict);
    }
  }
  if (changesRequested) return ActionStatus.CHANGES_REQUESTED;
  return approvers.size >= requiredApprovals ? ActionStatus.APPROVED : ActionStatus.PENDING;
}
