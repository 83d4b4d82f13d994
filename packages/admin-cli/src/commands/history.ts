import { GOVERNANCE_HISTORY } from '../api/operations.js';
import type { Listing } from '../api/paging.js';
import type { GovernanceVersion } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { changeShort, changeSummary } from '../governance/changes-view.js';
import { timestamp } from '../output/format.js';
import { table, toned } from '../output/view.js';
import { listFooter } from './listing.js';

export interface HistoryOptions {
  readonly limit: number;
}

/** Every applied governance version, newest first: who changed what, when. */
export async function history(ctx: CommandContext, options: HistoryOptions): Promise<Listing<GovernanceVersion>> {
  const api = await ctx.api();
  const versions = (await api.request(GOVERNANCE_HISTORY, {})).governance.history;
  return { nodes: versions.slice(0, options.limit), totalCount: versions.length };
}

export const historyPresenter: Presenter<Listing<GovernanceVersion>> = {
  view: (r) => [
    table(
      ['Version', 'Applied', 'By', { header: 'Changes', flex: true }, 'Warnings'],
      r.nodes.map((v) => [
        String(v.version),
        timestamp(v.appliedAt),
        v.appliedBy,
        `${changeSummary(v.changes)}${v.changes.length > 0 ? `: ${v.changes.map(changeShort).join(', ')}` : ''}`,
        v.warnings.length > 0 ? toned(String(v.warnings.length), 'warn') : '0',
      ]),
      'No governance applied yet.',
    ),
    ...listFooter(r, 'versions'),
  ],
};
