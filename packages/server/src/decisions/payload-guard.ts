import { Verdict } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isPayloadHash, payloadHash } from '../receipts/receipt.js';

/** `extensions.reason` of the CONFLICT that refuses an approval of a payload no longer up for approval. */
export const PAYLOAD_CHANGED = 'PAYLOAD_CHANGED';

/** `DecisionInput.expectedPayloadHash` checked for form (BAD_USER_INPUT otherwise); null when absent. */
export function validExpectedPayloadHash(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (!isPayloadHash(value)) {
    throw AppError.badInput('expectedPayloadHash is not a payload hash: send ActionRequest.candidatePayloadHash as you read it (43 characters of base64url).', 'expectedPayloadHash');
  }
  return value;
}

/**
 * Why an approval may not be counted, or null when it may: an APPROVE that names the
 * payload its approver reviewed (`expected`) is refused when another approver made a
 * different payload the candidate since (DESIGN §2, "Rules that keep approvals honest"),
 * so that no vote counts for a payload its caster never saw. A DENY or REQUEST_CHANGES
 * ends the request whatever the payload, and a vote that names none keeps the behaviour
 * integrators without it rely on: both are counted.
 */
export function staleApproval(actionId: string, verdict: Verdict, expected: string | null, candidatePayload: unknown): AppError | null {
  if (expected === null || verdict !== Verdict.APPROVE) return null;
  const current = payloadHash(candidatePayload);
  if (current === expected) return null;
  return AppError.conflict(`The payload up for approval on request ${actionId} changed since you loaded it: reload and review it.`, {
    reason: PAYLOAD_CHANGED,
    candidatePayloadHash: current,
    expectedPayloadHash: expected,
  });
}
