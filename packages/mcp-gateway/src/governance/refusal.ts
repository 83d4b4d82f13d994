import type { ActionRequest } from '@countersign/sdk';

/**
 * Texts of the error results a model reads when a call was not run. Each says what was
 * decided, by whom (a person at which level of which chain, or a policy), why, and what the
 * model may do next, and names the request so a person can look it up.
 */

type Refusable = Pick<ActionRequest, 'id' | 'status' | 'statusReason' | 'mode' | 'policy' | 'chain' | 'escalationLevel' | 'decisions' | 'risk'>;

/** The error text for a request that ended in anything but APPROVED. */
export function refusalText(tool: string, action: Refusable): string {
  const ref = `Countersign request ${action.id}`;
  const risk = action.risk ? ` Risk: ${action.risk.level} (${action.risk.score}/100).` : '';
  switch (action.status) {
    case 'DENIED': {
      const decision = last(action, 'DENY');
      if (decision) {
        return [
          `The call to ${tool} was DENIED by ${who(decision)}${level(action)} and was not run (${ref}).`,
          decision.comment ? `Approver's comment: "${decision.comment}"` : 'The approver gave no comment.',
          'Do not retry the same call; tell the user it was denied and why.',
        ].join('\n');
      }
      if (action.mode === 'BLOCK') {
        return [
          `The call to ${tool} is BLOCKED by the governance policy${action.policy ? ` "${action.policy}"` : ''} and was not run (${ref}).${risk}`,
          'No approver can allow this call as it is; do not retry it. Tell the user it is blocked by policy.',
        ].join('\n');
      }
      return [
        `The call to ${tool} was DENIED by Countersign${action.statusReason ? ` (${reasonText(action.statusReason)})` : ''} and was not run (${ref}).${risk}`,
        'Do not retry the same call; tell the user.',
      ].join('\n');
    }
    case 'CHANGES_REQUESTED': {
      const decision = last(action, 'REQUEST_CHANGES');
      const lines = [`The call to ${tool} was not run: ${decision ? who(decision) : 'an approver'}${level(action)} asked for CHANGES (${ref}).`];
      lines.push(decision?.comment ? `What to change: "${decision.comment}"` : 'The approver did not say what to change; ask the user.');
      if (decision?.modifiedPayload !== null && decision?.modifiedPayload !== undefined) {
        lines.push(`The approver suggests these arguments: ${JSON.stringify(decision.modifiedPayload)}`);
      }
      lines.push(`To go on, call ${tool} again with arguments changed as asked; the new call is a new request.`);
      return lines.join('\n');
    }
    case 'EXPIRED':
      return [
        `The call to ${tool} EXPIRED: no approver decided before the last level${action.chain ? ` of the "${action.chain}" escalation chain` : ''} timed out, so it was not run (${ref}).`,
        'Tell the user it is still unapproved; do not retry it without their word.',
      ].join('\n');
    case 'CANCELLED':
      return `The call to ${tool} was CANCELLED${action.statusReason ? ` (${reasonText(action.statusReason)})` : ''} and was not run (${ref}).`;
    case 'APPROVED':
    case 'PENDING':
      throw new Error(`refusalText: request ${action.id} is ${action.status}, not refused`);
    default:
      return assertNever(action.status);
  }
}

/** The text when the gateway's `approvalTimeout` passed with the request still pending. */
export function pendingText(tool: string, action: Pick<ActionRequest, 'id' | 'chain' | 'escalationLevel'> | { id: string }, waitedMs: number): string {
  const where = 'chain' in action && action.chain ? ` with the "${action.chain}" approvers (level ${action.escalationLevel ?? 1})` : '';
  return [
    `The call to ${tool} was not run: Countersign request ${action.id} is still PENDING${where} after ${formatDuration(waitedMs)}.`,
    `Tell the user that request ${action.id} awaits approval. Calling ${tool} again with the very same arguments goes on waiting for that same request (and runs it once approved).`,
  ].join('\n');
}

/** The text when an approval's receipt did not verify: the approval cannot be trusted. */
export function receiptFailureText(tool: string, actionId: string, reason: string): string {
  return `The call to ${tool} was not run: the approval of Countersign request ${actionId} came with a receipt that does not verify (${reason}). Report this to the user; do not retry.`;
}

/** The text when Countersign could not be asked at all: fail closed. */
export function unavailableText(tool: string, reason: string): string {
  return `The call to ${tool} was not run: Countersign, which must approve it first, could not be reached or refused the request (${reason}). Try again later.`;
}

const REASONS: Record<string, string> = {
  BLOCKED_BY_POLICY: 'blocked by policy',
  NO_ROUTE: 'no approver is responsible for this kind of call',
  AGENT_SUSPENDED: 'this gateway\'s agent is suspended',
  BREAK_GLASS_LIMIT: 'break-glass limit reached',
};

function reasonText(reason: string): string {
  return REASONS[reason] ?? reason;
}

function last(action: Refusable, verdict: 'DENY' | 'REQUEST_CHANGES') {
  return action.decisions.findLast((decision) => decision.verdict === verdict);
}

function who(decision: Refusable['decisions'][number]): string {
  return `${decision.approver.name}${decision.onBehalfOf ? ` (for ${decision.onBehalfOf.name})` : ''}`;
}

function level(action: Refusable): string {
  if (!action.chain) return '';
  return ` at level ${action.escalationLevel ?? 1} of the "${action.chain}" escalation chain`;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function assertNever(value: never): never {
  throw new Error(`Unexpected status: ${String(value)}`);
}
