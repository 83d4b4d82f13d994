import { ACTION, AGENT_RECENT_ACTIONS } from '../api/operations.js';
import type { ActionDetail, RecentAction } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { age, list, money, prettyJson, risk, status, statusTone, timestamp } from '../output/format.js';
import { code, fields, heading, table, text, toned, type Block } from '../output/view.js';
import { deadlineCell } from './queue.js';

/** How many of the agent's earlier requests `show` lists. */
export const RECENT_ACTIONS = 10;

export interface ShowResult {
  readonly action: ActionDetail;
  /** The agent's latest other requests, newest first; null when the caller may not list them. */
  readonly recent: readonly RecentAction[] | null;
}

/** Everything about one request: what an approver needs to sign it with open eyes. */
export async function show(ctx: CommandContext, id: string): Promise<ShowResult> {
  const api = await ctx.api();
  const { action } = await api.request(ACTION, { id });
  let recent: RecentAction[] | null;
  try {
    const { actions } = await api.request(AGENT_RECENT_ACTIONS, { agentId: action.agent.id, first: RECENT_ACTIONS + 1 });
    recent = actions.nodes.filter((a) => a.id !== action.id).slice(0, RECENT_ACTIONS);
  } catch (error) {
    // Listing requests may be for admins only; the request itself is what matters most.
    if (!(error instanceof CliError) || error.exitCode !== ExitCode.FORBIDDEN) throw error;
    recent = null;
  }
  return { action, recent };
}

/** `8 approved · 1 denied · 1 pending; amounts 120–4,000 USD` over the listed requests. */
export function historySummary(recent: readonly RecentAction[], currency: string | undefined): string {
  if (recent.length === 0) return 'no earlier requests: this is its first';
  const counts = new Map<string, number>();
  for (const r of recent) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const statuses = [...counts].map(([s, n]) => `${n} ${s.toLowerCase().replace('_', ' ')}`).join(' · ');
  const amounts = recent.filter((r) => r.amount && r.amount.currency === currency).map((r) => r.amount!.value);
  const [low, high] = [Math.min(...amounts), Math.max(...amounts)];
  const range =
    amounts.length === 0 || !currency
      ? ''
      : low === high
        ? `; amount ${money({ value: low, currency })}`
        : `; amounts ${money({ value: low, currency })} – ${money({ value: high, currency })}`;
  return `last ${recent.length}: ${statuses}${range}`;
}

function data(a: ActionDetail): string {
  return [a.dataClassification ?? '', list(a.dataCategories), a.recordCount !== null ? `${a.recordCount.toLocaleString('en-US')} records` : '']
    .filter(Boolean)
    .join('; ');
}

function approvalsLine(a: ActionDetail): string {
  const approvals = a.decisions.filter((d) => d.verdict === 'APPROVE').length;
  return a.requiredApprovals > 1 ? `${approvals} of ${a.requiredApprovals} approvals` : '';
}

const who = (p: { readonly approver: { readonly name: string }; readonly onBehalfOf: { readonly name: string } | null }) =>
  p.onBehalfOf ? `${p.approver.name} (for ${p.onBehalfOf.name})` : p.approver.name;

function requestSection(a: ActionDetail, now: Date): Block[] {
  return [
    heading(`${a.type} ${a.id}`),
    fields([
      ['Status', toned([a.status, a.reviewStatus ? `review ${a.reviewStatus}` : '', a.statusReason ?? ''].filter(Boolean).join(' · '), statusTone(a.status))],
      ['Mode', [a.mode, approvalsLine(a)].filter(Boolean).join(' · ')],
      ['Summary', a.summary],
      ['Justification', a.justification],
      ['Expected', a.expectedOutcome],
      ['Operation', a.operation],
      ['Resource', a.resource],
      ['Data', data(a)],
      ['Destination', a.destination ? `${a.destination.system ?? ''}${a.destination.external ? ' (external)' : ' (internal)'}` : undefined],
      ['Amount', money(a.amount)],
      ['Agent', `${a.agent.name}${a.agent.tags.length > 0 ? ` [${list(a.agent.tags)}]` : ''}`],
      ['Submitted', `${timestamp(a.createdAt)} (${age(a.createdAt, now)} ago)`],
      ['Deadline', a.deadline ? deadlineCell(a.deadline, now) : undefined],
      ['Escalation', a.escalationLevel !== null ? `level ${a.escalationLevel}` : undefined],
      ['Assignees', list(a.assignees.map(who))],
      ['Revision of', a.revisionOf?.id],
    ]),
  ];
}

function riskSection(a: ActionDetail): Block[] {
  return [
    heading(`Risk ${a.risk.score}/100, ${a.risk.level}`),
    table(
      [{ header: 'Points', align: 'right' }, 'Dimension', { header: 'Why', flex: true }],
      a.risk.factors.map((f) => [String(f.points), f.dimension, f.detail]),
      'No risk factors.',
    ),
  ];
}

function policySection(a: ActionDetail): Block[] {
  return [
    heading('Policy'),
    fields([
      ['Policy', a.policy ?? 'none matched (defaults)'],
      ['Route', a.route ? `${a.route}${a.chain ? ` → chain ${a.chain}` : ''}` : undefined],
      ['Governance', a.governanceVersion !== null ? `version ${a.governanceVersion}` : undefined],
      ['If approved', a.consequences?.approve ?? undefined],
      ['If denied', a.consequences?.deny ?? undefined],
      ['Notes', a.notes.length > 0 ? toned(a.notes.join(' · '), 'warn') : undefined],
    ]),
  ];
}

function payloadSection(a: ActionDetail): Block[] {
  const blocks: Block[] = [heading('Payload'), code(prettyJson(a.payload))];
  if (a.context !== null && a.context !== undefined) blocks.push(heading('Context'), code(prettyJson(a.context)));
  if (a.approvedPayload !== null && a.approvedPayload !== undefined && JSON.stringify(a.approvedPayload) !== JSON.stringify(a.payload)) {
    blocks.push(heading('Approved payload (modified by the approver)'), code(prettyJson(a.approvedPayload)));
  }
  return blocks;
}

function historySection(a: ActionDetail, recent: readonly RecentAction[] | null, now: Date): Block[] {
  const title = heading(`Agent ${a.agent.name}: recent requests`);
  if (recent === null) return [title, text('Not shown: your token may not list requests.', 'muted')];
  return [
    title,
    fields([['History', historySummary(recent, a.amount?.currency)]]),
    table(
      ['ID', 'Risk', 'Type', 'Status', 'Amount', { header: 'Summary', flex: true }, 'Age'],
      recent.map((r) => [r.id, risk(r.risk), r.type, status(r.status), money(r.amount), r.summary, age(r.createdAt, now)]),
    ),
  ];
}

function decisionsSection(a: ActionDetail): Block[] {
  const blocks: Block[] = [
    heading('Decisions'),
    table(
      ['At', 'Approver', 'Verdict', { header: 'Comment', flex: true }],
      a.decisions.map((d) => [timestamp(d.at), who(d), status(d.verdict), d.comment ?? '']),
      'None yet.',
    ),
  ];
  if (a.reviews.length > 0) {
    blocks.push(
      heading('Reviews'),
      table(['At', 'Reviewer', 'Verdict', { header: 'Comment', flex: true }], a.reviews.map((r) => [timestamp(r.at), who(r), status(r.verdict), r.comment ?? ''])),
    );
  }
  if (a.outcome) {
    blocks.push(heading('Outcome'), fields([['Result', status(a.outcome.status)], ['Detail', a.outcome.detail], ['At', timestamp(a.outcome.at)]]));
  }
  return blocks;
}

function timelineSection(a: ActionDetail): Block[] {
  return [
    heading('Timeline'),
    table(
      [{ header: '#', align: 'right' }, 'At', 'Event', 'By', { header: 'Detail', flex: true }],
      a.auditTrail.map((e) => [String(e.seq), timestamp(e.at), e.kind, [e.actorType.toLowerCase(), e.actorId ?? ''].join(' ').trim(), e.data === null ? '' : JSON.stringify(e.data)]),
      'No events.',
    ),
  ];
}

/** What the reader can do next with this request, if anything. */
function nextStep(a: ActionDetail): Block[] {
  const commands =
    a.status === 'PENDING'
      ? [`countersign approve ${a.id} --comment …`, `countersign deny ${a.id} --comment …`, `countersign request-changes ${a.id} --comment …`]
      : a.reviewStatus === 'UNREVIEWED'
        ? [`countersign review ${a.id} --ack`, `countersign review ${a.id} --flag --comment …`]
        : [];
  if (commands.length === 0) return [];
  return [heading('Next'), { kind: 'list', items: commands.map((command) => ({ marker: '$', text: command, tone: 'muted' as const })) }];
}

/**
 * Sections in the order an approver reads: what and why, how risky and why, what
 * happens either way, the exact payload, how the agent usually behaves, and what
 * already happened to this request. `--json` gives the request itself (plus the agent's
 * recent requests), so `show <id> --json | jq .payload` works.
 */
export const showPresenter: Presenter<ShowResult> = {
  data: (r) => ({ ...r.action, agentRecentActions: r.recent }),
  view: ({ action: a, recent }, now) => [
    ...requestSection(a, now),
    ...riskSection(a),
    ...policySection(a),
    ...payloadSection(a),
    ...historySection(a, recent, now),
    ...decisionsSection(a),
    ...timelineSection(a),
    ...nextStep(a),
  ],
};
