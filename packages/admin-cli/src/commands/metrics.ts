import { METRICS } from '../api/operations.js';
import type { Metrics } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { heading, fields, table, toned } from '../output/view.js';
import { formatDuration, parseDuration } from '../util/time.js';

export interface MetricsOptions {
  readonly window: string;
}

/** Volumes, modes, decisions and latency over a window: is governance keeping up? */
export async function metrics(ctx: CommandContext, options: MetricsOptions): Promise<Metrics> {
  parseDuration(options.window);
  const api = await ctx.api();
  return (await api.request(METRICS, { window: options.window })).metrics;
}

function seconds(value: number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : formatDuration(value * 1_000);
}

export const metricsPresenter: Presenter<Metrics> = {
  view: (m) => [
    heading(`Last ${m.window}`),
    fields([
      ['Submitted', m.submitted.toLocaleString('en-US')],
      ['Pending now', m.pending > 0 ? toned(m.pending.toLocaleString('en-US'), 'warn') : '0'],
      ['Escalations', m.escalations.toLocaleString('en-US')],
      ['Expired', m.expired > 0 ? toned(m.expired.toLocaleString('en-US'), 'bad') : '0'],
      ['Approval rate', m.approvalRate === null ? undefined : `${Math.round(m.approvalRate * 100)}%`],
      ['Decision p50', seconds(m.decisionLatency?.p50)],
      ['Decision p95', seconds(m.decisionLatency?.p95)],
      ['Decision p99', seconds(m.decisionLatency?.p99)],
    ]),
    heading('By mode'),
    table(['Mode', { header: 'Requests', align: 'right' }], m.byMode.map((x) => [x.mode, x.count.toLocaleString('en-US')]), 'none'),
    heading('By status'),
    table(['Status', { header: 'Requests', align: 'right' }], m.byStatus.map((x) => [x.status, x.count.toLocaleString('en-US')]), 'none'),
  ],
};
