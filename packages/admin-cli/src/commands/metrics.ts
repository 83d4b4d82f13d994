import { METRICS } from '../api/operations.js';
import type { AlertSeverity, Metrics, MetricsAlert, ModeCount } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { count, evidencePairs, percent, seconds, sparkline, words } from '../output/figures.js';
import { age, timestamp } from '../output/format.js';
import { fields, heading, table, text, toned, type Block, type Cell, type Tone } from '../output/view.js';
import { parseDuration } from '../util/time.js';

export interface MetricsOptions {
  readonly window: string;
  /** The size of each point of the series; the server picks one (at most 60 points) when absent. */
  readonly bucket?: string;
}

/** Volumes, decisions, time to decision, the queue, per approver and policy, and fatigue alerts. */
export async function metrics(ctx: CommandContext, options: MetricsOptions): Promise<Metrics> {
  // Checked here so a typo is a usage error (exit 2) before anything is sent.
  parseDuration(options.window);
  if (options.bucket !== undefined) parseDuration(options.bucket);
  const api = await ctx.api();
  return (await api.request(METRICS, { window: options.window, ...(options.bucket ? { bucket: options.bucket } : {}) })).metrics;
}

/** `AUTO 1,000 · SYNC_APPROVAL 120`, most first. */
function modes(byMode: readonly ModeCount[]): string {
  return [...byMode].filter((m) => m.count > 0).sort((a, b) => b.count - a.count).map((m) => `${m.mode} ${count(m.count)}`).join(' · ');
}

/** `p50 4m · p90 20m · p99 1h` over the measured durations. */
function latency(m: Metrics): string {
  const l = m.decisionLatency;
  if (l.count === 0) return 'nothing decided in the window';
  return [['p50', l.p50], ['p90', l.p90], ['p99', l.p99]]
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([name, v]) => `${name} ${seconds(v as number)}`)
    .join(' · ') + ` (${count(l.count)} decisions)`;
}

function headline(m: Metrics, now: Date): Block[] {
  const decided =
    m.decided === 0
      ? 'none'
      : `${count(m.decided)}: ${[`${percent(m.approvalRate)} approved`, `${percent(m.denialRate)} denied`, m.changesRequested > 0 ? `${percent(m.changesRequestedRate)} sent back for changes` : '']
          .filter(Boolean)
          .join(' · ')}`;
  const queue = `${count(m.pending)} waiting for approval${m.oldestPendingSince ? `, the oldest for ${age(m.oldestPendingSince, now)}` : ''}${m.unreviewed > 0 ? `; ${count(m.unreviewed)} awaiting review` : ''}`;
  const escalations = m.escalations === 0 ? '0' : `${count(m.escalations)} (${count(m.escalated)} requests escalated${m.escalationRate !== null ? `, ${percent(m.escalationRate)} of those resolved` : ''})`;
  const expired = m.expired === 0 ? '0' : `${count(m.expired)}${m.expiryRate !== null ? ` (${percent(m.expiryRate)} of those resolved)` : ''}: actions that did not run`;
  return [
    heading(`Last ${m.window}: ${timestamp(m.since)} to ${timestamp(m.until)}`),
    fields([
      ['Submitted', `${count(m.submitted)}${m.submitted > 0 ? `: ${modes(m.byMode)}` : ''}`],
      ['Decided by people', decided],
      ['Time to decision', latency(m)],
      ['Queue now', m.pending > 0 ? toned(queue, 'warn') : queue],
      ['Escalations', m.escalations > 0 ? toned(escalations, 'warn') : escalations],
      ['Expired', m.expired > 0 ? toned(expired, 'bad') : expired],
      ['Standing approvals', standingApprovals(m)],
      // Only when it happened: break-glass is rare, and loud when it is not.
      ['Break-glass', m.breakGlassUses + m.breakGlassRefused > 0 ? toned(`${count(m.breakGlassUses)} used without approval, ${count(m.breakGlassRefused)} refused`, 'bad') : undefined],
    ]),
  ];
}

/** What grants did in the window, when there were any: requests let through, live, made, revoked, flagged in review. */
function standingApprovals(m: Metrics): Cell | undefined {
  const g = m.grants;
  if (g.uses + g.active + g.created + g.revoked === 0) return undefined;
  const share = g.grantedShare !== null ? ` (${percent(g.grantedShare)} of held requests)` : '';
  const line = `${count(g.granted)} approved by a grant${share}; ${count(g.active)} active, ${count(g.created)} made, ${count(g.revoked)} revoked${g.reviews > 0 ? `; ${count(g.reviews)} reviewed, ${count(g.flagged)} flagged` : ''}`;
  return g.flagged > 0 ? toned(line, 'warn') : line;
}

/** One sparkline per series that moved, so a trend shows at a glance. */
function trends(m: Metrics): Block[] {
  if (m.series.length < 2) return [];
  const rows: [string, Cell][] = [
    ['Submitted', m.series.map((p) => p.submitted)],
    ['Held for approval', m.series.map((p) => p.syncApproval)],
    ['Queue depth', m.series.map((p) => p.queueDepth)],
    ['Decision p50', m.series.map((p) => p.decisionLatencyP50)],
    ['Expired', m.series.map((p) => p.expired)],
  ]
    .filter(([, values]) => (values as (number | null)[]).some((v) => v !== null && v > 0))
    .map(([label, values]) => [label as string, sparkline(values as (number | null)[])]);
  if (rows.length === 0) return [];
  return [heading(`Over time (${m.series.length} points of ${m.bucket}, oldest first)`), fields(rows)];
}

const SEVERITY: Record<AlertSeverity, { marker: string; tone: Tone }> = {
  CRITICAL: { marker: '✖', tone: 'bad' },
  WARNING: { marker: '!', tone: 'warn' },
  INFO: { marker: 'i', tone: 'accent' },
};

function alertItems(alert: MetricsAlert) {
  const { marker, tone } = SEVERITY[alert.severity] ?? SEVERITY.INFO;
  const evidence = evidencePairs(alert.evidence);
  const title = `${alert.severity} ${words(alert.kind)}${alert.subject ? `: ${alert.subject}` : ''}`;
  return [
    { marker, tone, text: title },
    { marker: ' ', text: alert.message },
    { marker: ' ', tone: 'accent' as const, text: `Suggestion: ${alert.suggestion}` },
    ...(evidence.length > 0 ? [{ marker: ' ', tone: 'muted' as const, text: `Evidence: ${evidence.join(', ')}` }] : []),
  ];
}

function alertsSection(m: Metrics): Block[] {
  if (m.alerts.length === 0) return [heading('Alerts'), text('None: nothing suggests approval fatigue or miscalibrated thresholds.', 'good')];
  return [
    heading(`Alerts (${m.alerts.length})`),
    ...m.alerts.flatMap((alert, i): Block[] => [...(i > 0 ? [text('')] : []), { kind: 'list', items: alertItems(alert) }]),
  ];
}

function approversSection(m: Metrics): Block[] {
  if (m.approvers.length === 0) return [];
  return [
    heading('Per approver'),
    table(
      ['Approver', { header: 'Decisions', align: 'right' }, { header: 'Approved', align: 'right' }, { header: 'Median to decide', align: 'right' }, { header: 'Within 15s', align: 'right' }, { header: 'Waiting', align: 'right' }, { header: 'To review', align: 'right' }, { header: 'Assigned', align: 'right' }],
      m.approvers.map((a) => {
        const quick = a.approved > 0 && a.quickApprovals / a.approved >= 0.5;
        return [
          a.approver.name,
          count(a.decisions),
          percent(a.approveRate),
          seconds(a.medianSecondsToDecide),
          a.quickApprovals > 0 ? toned(count(a.quickApprovals), quick ? 'warn' : 'plain') : '0',
          count(a.pending),
          count(a.toReview),
          count(a.assigned),
        ];
      }),
    ),
  ];
}

function policiesSection(m: Metrics): Block[] {
  if (m.policies.length === 0) return [];
  return [
    heading('Per policy'),
    table(
      ['Policy', { header: 'Submitted', align: 'right' }, { header: 'Modes', flex: true }, { header: 'Decided', align: 'right' }, { header: 'Approved', align: 'right' }, { header: 'Expired', align: 'right' }, { header: 'Median wait', align: 'right' }],
      m.policies.map((p) => [
        p.policy ?? '(defaults)',
        count(p.submitted),
        modes(p.byMode),
        count(p.decided),
        percent(p.approvalRate),
        p.expired > 0 ? toned(count(p.expired), 'bad') : '0',
        seconds(p.decisionLatencyP50),
      ]),
    ),
  ];
}

function rolesAndChains(m: Metrics): Block[] {
  const blocks: Block[] = [];
  const roles = m.roles.filter((r) => r.decisions > 0);
  if (roles.length > 0) {
    blocks.push(
      heading('Per role'),
      table(
        ['Role', { header: 'Members', align: 'right' }, { header: 'Decisions', align: 'right' }, { header: 'Busiest', flex: true }],
        roles.map((r) => [r.role, count(r.members), count(r.decisions), r.shares[0] ? `${r.shares[0].approver.name} (${percent(r.shares[0].share)})` : '']),
      ),
    );
  }
  const chains = m.chains.filter((c) => c.resolved > 0);
  if (chains.length > 0) {
    blocks.push(
      heading('Per escalation chain'),
      table(
        ['Chain', { header: 'Resolved', align: 'right' }, { header: 'Escalated', align: 'right' }, { header: 'Expired', align: 'right' }, { header: 'Median wait', align: 'right' }],
        chains.map((c) => [c.chain ?? '(none)', count(c.resolved), percent(c.escalationRate), c.expired > 0 ? toned(`${count(c.expired)} (${percent(c.expiryRate)})`, 'bad') : '0', seconds(c.decisionLatencyP50)]),
      ),
    );
  }
  return blocks;
}

/** Headline numbers, then the alerts (what to change), then who and which policy carry the load. `--json` is the server's answer. */
export const metricsPresenter: Presenter<Metrics> = {
  view: (m, now) => [...headline(m, now), ...alertsSection(m), ...approversSection(m), ...policiesSection(m), ...rolesAndChains(m), ...trends(m)],
};
