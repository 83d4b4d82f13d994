import { REVIEW } from '../api/operations.js';
import type { ActionAfterDecision } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { statusTone } from '../output/format.js';
import { text } from '../output/view.js';

export interface ReviewOptions {
  readonly ack?: boolean;
  readonly flag?: boolean;
  readonly comment?: string;
}

/**
 * Reviews a request that ran under ASYNC_REVIEW: acknowledge it, or flag it (which feeds
 * the agent's behaviour signals, so its next requests score higher).
 */
export async function review(ctx: CommandContext, id: string, options: ReviewOptions): Promise<ActionAfterDecision> {
  if (Boolean(options.ack) === Boolean(options.flag)) throw CliError.usage('review needs exactly one of --ack or --flag.');
  const api = await ctx.api();
  const verdict = options.ack ? 'ACKNOWLEDGE' : 'FLAG';
  return (await api.request(REVIEW, { input: { actionId: id, verdict, comment: options.comment } })).review;
}

export const reviewPresenter: Presenter<ActionAfterDecision> = {
  view: (r) => [text(`Reviewed ${r.id}: ${r.reviewStatus ?? 'recorded'}.`, statusTone(r.reviewStatus ?? ''))],
};
