import { ActionStatus, Verdict, assertNever } from '../shared/enums.js';
import { payloadHash } from '../receipts/receipt.js';

/**
 * One approver's verdict on a request. `modifiedPayload` (APPROVE only): the arguments they
 * approved instead of the candidate they were shown; null or absent: the candidate as it is.
 * `candidate`: the round a stored vote was cast in (absent for the vote being counted).
 */
export type Vote = { approverId: string; verdict: Verdict; modifiedPayload?: unknown; candidate?: number };

/** Where a request stands once a vote is counted. */
export type TallyOutcome =
  | ActionStatus.PENDING
  | ActionStatus.APPROVED
  | ActionStatus.DENIED
  | ActionStatus.CHANGES_REQUESTED;

export type TallyResult = { ok: true; outcome: TallyOutcome } | { ok: false; reason: 'ALREADY_DECIDED_BY_YOU' };

/**
 * The payload a request's approvals are for. It starts as the submitted payload; an APPROVE
 * with a `modifiedPayload` that differs from it (as canonical JSON) makes that the candidate
 * (`round` counts such changes). Only approvals of the candidate as it is count.
 */
export interface Candidate {
  payload: unknown;
  /** 0: the submitted payload; n: the n-th modification. */
  round: number;
  /** Who approved this candidate as it is, in the order they did (the modifier first). */
  approvers: string[];
}

/** A vote counted with the votes before it. */
export type CountResult =
  | { ok: false; reason: 'ALREADY_DECIDED_BY_YOU' }
  | {
      ok: true;
      outcome: TallyOutcome;
      candidate: Candidate;
      /** The vote made its modification the candidate: the request must be evaluated again with it. */
      changed: boolean;
      /** Approvers whose approvals (of an earlier candidate) stopped counting with this vote. */
      voided: string[];
    };

/**
 * The candidate after `votes` (cast in order on a request submitted with `payload`), and
 * the round each vote was cast in. Stored votes carry their round: they come ordered by
 * round, and within a round the modifications first (the first is the round's candidate),
 * so that the order of their clocks never matters.
 */
export function candidateAfter(payload: unknown, votes: readonly Vote[]): { candidate: Candidate; rounds: number[] } {
  let candidate: Candidate = { payload, round: 0, approvers: [] };
  let hash: string | null = null;
  const rounds: number[] = [];
  for (const vote of votes) {
    if (vote.candidate !== undefined && vote.candidate > candidate.round && (vote.modifiedPayload ?? null) !== null) {
      candidate = { payload: vote.modifiedPayload, round: vote.candidate, approvers: [] };
      hash = null;
    }
    if (vote.verdict === Verdict.APPROVE) {
      const modified = vote.modifiedPayload ?? null;
      if (modified !== null && payloadHash(modified) !== (hash ??= payloadHash(candidate.payload))) {
        candidate = { payload: modified, round: candidate.round + 1, approvers: [vote.approverId] };
        hash = null;
      } else if (!candidate.approvers.includes(vote.approverId)) {
        candidate.approvers.push(vote.approverId);
      }
    }
    rounds.push(candidate.round);
  }
  return { candidate, rounds };
}

/**
 * Counts `incoming` with the `votes` already cast on a pending request submitted with
 * `payload` (DESIGN §2 step 8 and "Rules that keep approvals honest").
 *
 * A receipt binds only a payload that `requiredApprovals` distinct people approved as it
 * is: an approval with a modification makes the modified payload the candidate, counted
 * as its modifier's approval, and every approval of an earlier candidate stops counting
 * (those people may, and must, approve again). One person, one vote per candidate: a second
 * vote from someone whose approval of the candidate still counts is refused rather than
 * counted or allowed to change the first.
 *
 * Any DENY ends the request DENIED and any REQUEST_CHANGES ends it CHANGES_REQUESTED,
 * whatever approvals came before; it is APPROVED once `requiredApprovals` distinct people
 * approved the candidate, PENDING until then. If the votes ever disagree, the most
 * restrictive verdict wins: DENY, then REQUEST_CHANGES, then approval.
 *
 * @throws RangeError when `requiredApprovals` is not a whole number from 1.
 */
export function countVote(payload: unknown, votes: readonly Vote[], incoming: Vote, requiredApprovals: number): CountResult {
  checkQuorum(requiredApprovals);
  const before = candidateAfter(payload, votes).candidate;
  if (before.approvers.includes(incoming.approverId) || votes.some((v) => v.approverId === incoming.approverId && v.verdict !== Verdict.APPROVE)) {
    return { ok: false, reason: 'ALREADY_DECIDED_BY_YOU' };
  }
  const after = candidateAfter(payload, [...votes, incoming]).candidate;
  const changed = after.round !== before.round;
  return {
    ok: true,
    outcome: outcomeOf([...votes, incoming], after, requiredApprovals),
    candidate: after,
    changed,
    voided: changed ? before.approvers : [],
  };
}

/** Where a request stands with `candidate` approved by its approvers, under a (possibly raised) quorum. */
export function standing(votes: readonly Vote[], candidate: Candidate, requiredApprovals: number): TallyOutcome {
  checkQuorum(requiredApprovals);
  return outcomeOf(votes, candidate, requiredApprovals);
}

/**
 * {@link countVote} for votes that carry no modification: whether the request is approved,
 * denied, sent back or still pending once `incoming` is counted.
 *
 * @throws RangeError when `requiredApprovals` is not a whole number from 1.
 */
export function tally(votes: readonly Vote[], incoming: Vote, requiredApprovals: number): TallyResult {
  const result = countVote(null, votes, incoming, requiredApprovals);
  return result.ok ? { ok: true, outcome: result.outcome } : result;
}

function checkQuorum(requiredApprovals: number): void {
  if (!Number.isSafeInteger(requiredApprovals) || requiredApprovals < 1) {
    throw new RangeError(`requiredApprovals must be a whole number from 1, got ${requiredApprovals}`);
  }
}

function outcomeOf(votes: readonly Vote[], candidate: Candidate, requiredApprovals: number): TallyOutcome {
  let changesRequested = false;
  for (const { verdict } of votes) {
    switch (verdict) {
      case Verdict.DENY:
        return ActionStatus.DENIED;
      case Verdict.REQUEST_CHANGES:
        changesRequested = true;
        break;
      case Verdict.APPROVE:
        break;
      default:
        return assertNever(verdict);
    }
  }
  if (changesRequested) return ActionStatus.CHANGES_REQUESTED;
  return candidate.approvers.length >= requiredApprovals ? ActionStatus.APPROVED : ActionStatus.PENDING;
}
