import type { Api } from '../api/client.js';
import { APPROVAL_CANDIDATE, DECIDE } from '../api/operations.js';
import type { ActionAfterDecision, Verdict } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { prettyJson, statusTone } from '../output/format.js';
import { code, fields, heading, text } from '../output/view.js';
import { readJsonArgument } from '../util/input.js';
import { assertNever } from '../util/never.js';

export interface DecideOptions {
  readonly comment?: string;
  /** APPROVE: the arguments approved instead of the agent's; REQUEST_CHANGES: a suggestion. */
  readonly payload?: string;
  /**
   * APPROVE: the hash of the payload up for approval as the approver reviewed it (`countersign
   * show` prints it). Without it, the payload is read and shown now, and its hash sent.
   */
  readonly payloadHash?: string;
  /** APPROVE: also let similar requests through for this long (a standing approval, DESIGN §12), e.g. `8h`. */
  readonly allowSimilar?: string;
  /** With allowSimilar: how many requests it may let through. */
  readonly maxUses?: number;
  /** With allowSimilar: the amount ceiling, in the request's currency. */
  readonly maxAmount?: string;
  /** With allowSimilar: only requests to the same destination. */
  readonly sameDestination?: boolean;
  /** With allowSimilar: only requests with the very arguments approved now. */
  readonly sameArguments?: boolean;
  /** With allowSimilar: why, for the audit trail. */
  readonly grantReason?: string;
}

/** The standing approval an approval asks for, or undefined; a scope option without --allow-similar is a mistake. */
function grantInput(options: DecideOptions) {
  const scoped = ([['--max-uses', options.maxUses], ['--max-amount', options.maxAmount], ['--same-destination', options.sameDestination], ['--same-arguments', options.sameArguments], ['--grant-reason', options.grantReason]] as const)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([flag]) => flag);
  if (options.allowSimilar === undefined) {
    if (scoped.length > 0) throw CliError.usage(`${scoped.join(', ')} ${scoped.length === 1 ? 'shapes' : 'shape'} the standing approval of --allow-similar <ttl>, which is missing.`);
    return undefined;
  }
  let maxAmount: number | undefined;
  if (options.maxAmount !== undefined) {
    maxAmount = Number(options.maxAmount);
    if (!/^\s*\d+(\.\d+)?\s*$/.test(options.maxAmount) || !Number.isFinite(maxAmount)) {
      throw CliError.usage(`--max-amount takes a number, in the request's currency (e.g. 900), not ${JSON.stringify(options.maxAmount)}.`);
    }
  }
  return {
    ttl: options.allowSimilar,
    maxUses: options.maxUses,
    maxAmount,
    sameDestination: options.sameDestination || undefined,
    sameArguments: options.sameArguments || undefined,
    reason: options.grantReason,
  };
}

/** `extensions.reason` of the server's CONFLICT for an approval of a payload no longer up for approval. */
const PAYLOAD_CHANGED = 'PAYLOAD_CHANGED';

export interface DecideResult extends ActionAfterDecision {
  readonly verdict: Verdict;
  /** The standing approval's length, when the approval made one. */
  readonly allowedSimilarFor?: string;
}

/**
 * Records the caller's verdict on a pending request. The server enforces who may decide
 * (FORBIDDEN) and that the request is still pending (CONFLICT); both come back as one
 * line and their own exit code.
 *
 * An approval names the payload it is for: the one shown here just before it is sent (or
 * the hash given with --payload-hash). Should another approver have changed the payload
 * up for approval in between, the server refuses the vote rather than count it for a
 * payload nobody showed this approver.
 */
export async function decide(ctx: CommandContext, id: string, verdict: Verdict, options: DecideOptions): Promise<DecideResult> {
  if (verdict !== 'APPROVE' && !options.comment?.trim()) {
    throw CliError.usage(`${verdict === 'DENY' ? 'deny' : 'request-changes'} needs --comment: the agent and the audit trail need the reason.`);
  }
  if (verdict !== 'APPROVE' && options.allowSimilar !== undefined) throw CliError.usage('--allow-similar goes with approve only.');
  const grant = verdict === 'APPROVE' ? grantInput(options) : undefined;
  const modifiedPayload = options.payload === undefined ? undefined : await readJsonArgument(ctx.io, options.payload, '--payload');
  const api = await ctx.api();
  const expectedPayloadHash = verdict !== 'APPROVE' ? undefined : (options.payloadHash ?? (await showCandidate(ctx, api, id, modifiedPayload !== undefined)));
  try {
    const { decide } = await api.request(DECIDE, { input: { actionId: id, verdict, comment: options.comment, modifiedPayload, expectedPayloadHash, grant } });
    return { verdict, ...decide, allowedSimilarFor: grant?.ttl };
  } catch (error) {
    if (error instanceof CliError && error.extensions.reason === PAYLOAD_CHANGED) {
      const since = options.payloadHash === undefined ? 'it was shown above' : 'you read it';
      throw new CliError(
        `Not approved: the payload up for approval on ${id} changed since ${since} (another approver changed it). Review it with \`countersign show ${id}\`, then approve again.`,
        ExitCode.CONFLICT,
        { cause: error, extensions: error.extensions },
      );
    }
    throw error;
  }
}

/** Reads the payload up for approval, shows it (people, not --json), and returns its hash. */
async function showCandidate(ctx: CommandContext, api: Api, id: string, replacing: boolean): Promise<string> {
  const { action } = await api.request(APPROVAL_CANDIDATE, { id });
  // Decided already: the server says so (CONFLICT); there is nothing up for approval to show.
  if (action.status !== 'PENDING') return action.candidatePayloadHash;
  const modified = JSON.stringify(action.candidatePayload) !== JSON.stringify(action.payload);
  const what = modified ? 'modified by an approver; approving approves this' : 'as submitted';
  ctx.show([
    heading(`Approving ${action.id}: ${action.summary}`),
    text(replacing ? `The payload up for approval (${what}), which your --payload replaces:` : `The payload up for approval (${what}):`),
    code(prettyJson(action.candidatePayload)),
    fields([
      ['Payload hash', action.candidatePayloadHash],
      ['Approvals', `${action.approvals} of ${action.requiredApprovals} so far`],
    ]),
  ]);
  return action.candidatePayloadHash;
}

function outcome(r: DecideResult): string {
  switch (r.verdict) {
    case 'APPROVE': {
      const similar = r.allowedSimilarFor ? ` Similar requests are approved at once for ${r.allowedSimilarFor} and come to your review queue: \`countersign grants\` lists the grant, \`countersign grants revoke <id>\` ends it.` : '';
      if (r.status !== 'PENDING') return `Approved ${r.id}: it is now ${r.status}.${similar}`;
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
