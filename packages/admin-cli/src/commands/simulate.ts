import { SIMULATE_GOVERNANCE } from '../api/operations.js';
import type { Simulation } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { readValidGovernanceFile } from '../governance/document.js';
import { timestamp } from '../output/format.js';
import { heading, table, text } from '../output/view.js';
import { parseSince } from '../util/time.js';

export interface SimulateOptions {
  readonly file: string;
  readonly since: string;
}

export interface SimulateResult extends Simulation {
  readonly file: string;
  readonly since: string;
}

/**
 * Replays the requests stored since `--since` against a draft document: how many would
 * be handled differently, and which. The safe way to tighten a policy — see who it
 * would have stopped before it stops anyone.
 */
export async function simulate(ctx: CommandContext, options: SimulateOptions): Promise<SimulateResult> {
  const since = parseSince(options.since, ctx.now()).toISOString();
  const file = await readValidGovernanceFile(ctx, options.file);
  const api = await ctx.api();
  const { simulateGovernance } = await api.request(SIMULATE_GOVERNANCE, { document: file.text, since });
  return { file: file.name, since, ...simulateGovernance };
}

export const simulatePresenter: Presenter<SimulateResult> = {
  view: (r) => [
    text(`Replayed ${r.evaluated.toLocaleString('en-US')} requests since ${timestamp(r.since)} against ${r.file}: ${r.changed.toLocaleString('en-US')} would be handled differently.`, r.changed > 0 ? 'warn' : 'good'),
    heading('Requests by mode under the draft'),
    table(['Mode', { header: 'Requests', align: 'right' }], r.byMode.map((m) => [m.mode, m.count.toLocaleString('en-US')]), 'none'),
    ...(r.changes.length > 0
      ? [heading('Changed'), table(['Request', 'Type', 'Now', 'Draft', { header: 'Summary', flex: true }], r.changes.map((c) => [c.actionId, c.type, c.fromMode, c.toMode, c.summary]))]
      : []),
  ],
};
