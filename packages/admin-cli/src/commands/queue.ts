import { APPROVAL_QUEUE, REVIEW_QUEUE } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import type { ActionSummary } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { age, relative, risk, status } from '../output/format.js';
import { table, text, toned, type Cell } from '../output/view.js';
import { listFooter } from './listing.js';

export interface QueueOptions {
  readonly limit: number;
  /** The review queue (approved already, awaiting acknowledgement) instead of the approval queue. */
  readonly review?: boolean;
}

export interface QueueResult extends Listing<ActionSummary> {
  readonly queue: 'approval' | 'review';
}

/** What waits for the caller: requests to approve, or (`--review`) requests to review. */
export async function queue(ctx: CommandContext, options: QueueOptions): Promise<QueueResult> {
  const api = await ctx.api();
  const listing = options.review
    ? await collect(api, REVIEW_QUEUE, {}, (d) => d.reviewQueue, options.limit)
    : await collect(api, APPROVAL_QUEUE, {}, (d) => d.approvalQueue, options.limit);
  return { queue: options.review ? 'review' : 'approval', ...listing };
}

/** A deadline coloured by urgency: red once under five minutes. */
export function deadlineCell(deadline: string | null, now: Date): Cell {
  if (!deadline) return '';
  const left = new Date(deadline).getTime() - now.getTime();
  return toned(relative(deadline, now), left < 5 * 60_000 ? 'bad' : 'plain');
}

export const queuePresenter: Presenter<QueueResult> = {
  view: (r, now) => [
    r.queue === 'approval'
      ? table(
          ['ID', 'Risk', 'Type', 'Agent', { header: 'Summary', flex: true }, 'Approvals', 'Deadline', 'Age'],
          r.nodes.map((a) => [a.id, risk(a.risk), a.type, a.agent.name, a.summary, String(a.requiredApprovals), deadlineCell(a.deadline, now), age(a.createdAt, now)]),
          'Nothing waits for your approval.',
        )
      : table(
          ['ID', 'Risk', 'Type', 'Agent', { header: 'Summary', flex: true }, 'Review', 'Age'],
          r.nodes.map((a) => [a.id, risk(a.risk), a.type, a.agent.name, a.summary, status(a.reviewStatus), age(a.createdAt, now)]),
          'Nothing waits for your review.',
        ),
    ...listFooter(r, 'requests'),
    ...(r.nodes.length > 0 ? [text(r.queue === 'approval' ? 'Next: countersign show <id>, then approve, deny or request-changes.' : 'Next: countersign show <id>, then review <id> --ack or --flag.', 'muted')] : []),
  ],
};
