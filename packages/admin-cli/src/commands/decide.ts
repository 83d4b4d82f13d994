import { DECIDE } from '../api/operations.js';
import type { ActionAfterDecision, Verdict } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { statusTone } from '../output/format.js';
import { text } from '../output/view.js';
import { readJsonArgument } from '../util/input.js';
import { assertNever } from '../util/never.js';

export interface DecideOptions {
  readonly comment?: string;
  /** APPROVE: the arguments approved instead of the agent's; REQUEST_CHANGES: a suggestion. */
  readonly payload?: string;
}

export interface DecideResult extends ActionAfterDecision {
  readonly verdict: Verdict;
}

/**
 * Records the caller's verdict on a pending request. The server enforces who may decide
 * (FORBIDDEN) and that the request is still pending (CONFLICT); both come back as one
 * line and their own exit code.
 */
export async function decide(ctx: CommandContext, id: string, verdict: Verdict, options: DecideOptions): Promise<DecideResult> {
  if (verdict !== 'APPROVE' && !options.comment?.trim()) {
    throw CliError.usage(`${verdict === 'DENY' ? 'deny' : 'request-changes'} needs --comment: the agent and the audit trail need the reason.`);
  }
  const modifiedPayload = options.payload === undefined ? undefined : await readJsonArgument(ctx.io, options.payload, '--payload');
  const api = await ctx.api();
  const { decide } = await api.request(DECIDE, { input: { actionId: id, verdict, comment: options.comment, modifiedPayload } });
  return { verdict, ...decide };
}

function outcome(r: DecideResult): string {
  switch (r.verdict) {
    case 'APPROVE': {
      if (r.status !== 'PENDING') return `Approved ${r.id}: it is now ${r.status}.`;
      const approvals = r.decisions.filter((d) => d.verdict === 'APPROVE' && !d.superseded).length;
      return `Approval recorded on ${r.id}: ${approvals} of ${r.requiredApprovals} approvals; it stays PENDING until the rest approve.`;
    }
    case 'DENY':
      return `Denied ${r.id}: it is now ${r.status}.`;
    case 'REQUEST_CHANGES':
      return `Changes requested on ${r.id}: it is now ${r.status}; the agent may resubmit a revision.`;
    default:
      return assertNever(r.verdict);
  }
}

export const decidePresenter: Presenter<DecideResult> = {
  view: (r) => [text(outcome(r), statusTone(r.status))],
};
