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
  const range = amounts.length > 0 && currency ? `; amounts ${money({ value: Math.min(...amounts), currency })} – ${money({ value: Math.max(...amounts), currency })}` : '';
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

/**
 * Sections in the order an approver reads: what and why, how risky and why, what
 * happens either way, the exact payload, who the agent is and how it usually behaves,
 * and what already happened to this request.
 */
export const showPresenter: Presenter<ShowResult> = {
  data: (r) => ({ ...r.action, agentRecentActions: r.recent }),
  view({ action: a, recent }, now) {
    const blocks: Block[] = [
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
        ['Assignees', list(a.assignees.map((p) => (p.onBehalfOf ? `${p.approver.name} (for ${p.onBehalfOf.name})` : p.approver.name)))],
        ['Revision of', a.revisionOf?.id],
      ]),
      heading(`Risk ${a.risk.score}/100`),
      fields([['Level', risk(a.risk)]]),
      table(
        [{ header: 'Points', align: 'right' }, 'Dimension', { header: 'Why', flex: true }],
        a.risk.factors.map((f) => [String(f.points), f.dimension, f.detail]),
        'No risk factors.',
      ),
      heading('Policy'),
      fields([
        ['Policy', a.policy ?? 'none matched (defaults)'],
        ['Route', a.route],
        ['Governance', a.governanceVersion !== null ? `version ${a.governanceVersion}` : undefined],
        ['If approved', a.consequences?.approve ?? undefined],
        ['If denied', a.consequences?.deny ?? undefined],
      ]),
      heading('Payload'),
      code(prettyJson(a.payload)),
    ];
    if (a.context !== null && a.context !== undefined) blocks.push(heading('Context'), code(prettyJson(a.context)));
    if (a.approvedPayload !== null && a.approvedPayload !== undefined && JSON.stringify(a.approvedPayload) !== JSON.stringify(a.payload)) {
      blocks.push(heading('Approved payload (modified by the approver)'), code(prettyJson(a.approvedPayload)));
    }
    blocks.push(
      heading(`Agent ${a.agent.name}: recent requests`),
      ...(recent === null
        ? [text('Not shown: your token may not list requests.', 'muted')]
        : [
            fields([['History', historySummary(recent, a.amount?.currency)]]),
            table(
              ['ID', 'Risk', 'Type', 'Status', 'Amount', { header: 'Summary', flex: true }, 'Age'],
              recent.map((r) => [r.id, risk(r.risk), r.type, status(r.status), money(r.amount), r.summary, age(r.createdAt, now)]),
            ),
          ]),
      heading('Decisions'),
      table(
        ['At', 'Approver', 'On behalf of', 'Verdict', { header: 'Comment', flex: true }],
        a.decisions.map((d) => [timestamp(d.at), d.approver.name, d.onBehalfOf?.name ?? '', status(d.verdict), d.comment ?? '']),
        'None yet.',
      ),
    );
    if (a.reviews.length > 0) {
      blocks.push(
        heading('Reviews'),
        table(
          ['At', 'Reviewer', 'Verdict', { header: 'Comment', flex: true }],
          a.reviews.map((r) => [timestamp(r.at), r.onBehalfOf ? `${r.approver.name} (for ${r.onBehalfOf.name})` : r.approver.name, status(r.verdict), r.comment ?? '']),
        ),
      );
    }
    if (a.outcome) {
      blocks.push(heading('Outcome'), fields([['Result', status(a.outcome.status)], ['Detail', a.outcome.detail], ['At', timestamp(a.outcome.at)]]));
    }
    blocks.push(
      heading('Timeline'),
      table(
        [{ header: '#', align: 'right' }, 'At', 'Event', 'By', { header: 'Detail', flex: true }],
        a.auditTrail.map((e) => [String(e.seq), timestamp(e.at), e.kind, e.actorId ? `${e.actorType.toLowerCase()} ${e.actorId}` : e.actorType.toLowerCase(), e.data === null ? '' : JSON.stringify(e.data)]),
        'No events.',
      ),
    );
    if (a.status === 'PENDING') {
      blocks.push(text(''), text(`Decide: countersign approve ${a.id} | deny ${a.id} --comment … | request-changes ${a.id} --comment …`, 'muted'));
    } else if (a.reviewStatus === 'UNREVIEWED') {
      blocks.push(text(''), text(`Review: countersign review ${a.id} --ack | --flag --comment …`, 'muted'));
    }
    return blocks;
  },
};
