import { ACTION, SHOW_CONTEXT } from '../api/operations.js';
import type { ActionDetail, ActionDigest, AgentBaseline, Amount, Principal, RevisionChanges } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { age, list, money, prettyJson, risk, status, statusTone, timestamp } from '../output/format.js';
import { count, inline, percent, words } from '../output/figures.js';
import { code, fields, heading, table, text, toned, type Block, type Cell } from '../output/view.js';
import { deadlineCell } from './queue.js';
import { actorOf, describeEvent, type Names } from './timeline.js';

/** How many of the agent's earlier requests `show` lists. */
export const RECENT_ACTIONS = 10;
/** How many similar past requests `show` lists, of this agent's and of others'. */
export const SIMILAR_ACTIONS = 5;

export interface ShowResult {
  readonly action: ActionDetail;
  /** Who asked: what `show` may offer them to do next (null when the server would not say). */
  readonly viewer?: Principal | null;
  /** Approvers' names by id, for the timeline. */
  readonly names?: Names;
}

/**
 * Everything about one request, in one query: what an approver needs to sign it with
 * open eyes, including the agent's history and baseline and similar past requests, which
 * the server gives to whoever may see the request (approvers too, not only admins).
 */
export async function show(ctx: CommandContext, id: string): Promise<ShowResult> {
  const api = await ctx.api();
  // One more than shown: the agent's latest request may be this one.
  const [{ action }, context] = await Promise.all([
    api.request(ACTION, { id, recent: RECENT_ACTIONS + 1, similar: SIMILAR_ACTIONS }),
    // Only names and who is asking: the request itself is shown without them.
    api.request(SHOW_CONTEXT, {}).catch(() => null),
  ]);
  return { action, viewer: context?.me ?? null, names: namesOf(action, context?.approvers.nodes ?? []) };
}

/** Every approver and agent name the request and the directory tell. */
function namesOf(a: ActionDetail, approvers: readonly { id: string; name: string }[]): Names {
  const names = new Map<string, string>(approvers.map((p) => [p.id, p.name]));
  const add = (p: { readonly id?: string; readonly name: string } | null | undefined) => p?.id && names.set(p.id, p.name);
  add(a.agent);
  add(a.agent.owner);
  for (const d of [...a.decisions, ...a.reviews, ...a.assignees]) {
    add(d.approver);
    add(d.onBehalfOf);
  }
  return names;
}

/** The agent's other requests, newest first, at most {@link RECENT_ACTIONS}. */
export function recentOf(a: ActionDetail): readonly ActionDigest[] {
  return a.agent.recentActions.filter((r) => r.id !== a.id).slice(0, RECENT_ACTIONS);
}

/** `8 approved · 1 denied · 1 pending`: how a list of requests ended, most common first. */
export function outcomes(requests: readonly ActionDigest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].sort((x, y) => y[1] - x[1]).map(([s, n]) => `${n} ${words(s)}`).join(' · ');
}

/** `last 10: 8 approved · 1 denied · 1 pending; amounts 120.00 – 4,000.00 USD` over the listed requests. */
export function historySummary(recent: readonly ActionDigest[], currency: string | undefined): string {
  if (recent.length === 0) return 'no earlier requests: this is its first';
  const amounts = recent.filter((r) => r.amount && r.amount.currency === currency).map((r) => r.amount!.value);
  const [low, high] = [Math.min(...amounts), Math.max(...amounts)];
  const range =
    amounts.length === 0 || !currency
      ? ''
      : low === high
        ? `; amount ${money({ value: low, currency })}`
        : `; amounts ${money({ value: low, currency })} – ${money({ value: high, currency })}`;
  return `last ${recent.length}: ${outcomes(recent)}${range}`;
}

function data(a: ActionDetail): string {
  return [a.dataClassification ?? '', list(a.dataCategories), a.recordCount !== null ? `${a.recordCount.toLocaleString('en-US')} records` : '']
    .filter(Boolean)
    .join('; ');
}

function approvalsLine(a: ActionDetail): string {
  const approvals = a.decisions.filter((d) => d.verdict === 'APPROVE' && !d.superseded).length;
  return a.requiredApprovals > 1 ? `${approvals} of ${a.requiredApprovals} approvals` : '';
}

const who = (p: { readonly approver: { readonly name: string }; readonly onBehalfOf: { readonly name: string } | null }) =>
  p.onBehalfOf ? `${p.approver.name} (for ${p.onBehalfOf.name})` : p.approver.name;

function agentCell(a: ActionDetail): Cell {
  const tags = a.agent.tags.length > 0 ? ` [${list(a.agent.tags)}]` : '';
  const owner = a.agent.owner ? `, owned by ${a.agent.owner.name}` : '';
  if (a.agent.status === 'SUSPENDED') {
    return toned(`${a.agent.name}${tags}${owner} · SUSPENDED${a.agent.suspendedReason ? `: ${a.agent.suspendedReason}` : ''}`, 'bad');
  }
  return `${a.agent.name}${tags}${owner}`;
}

/** A pending request that can only expire says so above everything else, with the server's sentence. */
function quorumWarning(a: ActionDetail): Block[] {
  if (a.status !== 'PENDING' || a.statusReason !== 'QUORUM_UNREACHABLE') return [];
  const why = a.notes.find((note) => note.startsWith('It needs ')) ?? `It needs ${a.requiredApprovals} approvals, but fewer people may approve it.`;
  return [text(`Warning: nobody can complete this request. ${why}`, 'bad')];
}

/**
 * Break-glass above everything else: a request an agent forced through with nobody deciding
 * (or tried to) is read first, with the agent's own words, and what is expected of the reader.
 */
function breakGlassBanner(a: ActionDetail, now: Date): Block[] {
  const bg = a.breakGlass;
  if (!bg) return [];
  const justification = `"${bg.justification}"`;
  if (!bg.used) {
    return [text(`Break-glass asked for and not used${a.statusReason?.startsWith('BREAK_GLASS') ? ` (${a.statusReason})` : ''}. The agent's justification: ${justification}`, 'warn')];
  }
  const review =
    a.reviewStatus === 'UNREVIEWED'
      ? bg.reviewOverdueSince
        ? `Its review is OVERDUE since ${timestamp(bg.reviewOverdueSince)} (${age(bg.reviewOverdueSince, now)} ago): acknowledge or flag it (countersign review ${a.id} --ack|--flag).`
        : `Review it: countersign review ${a.id} --ack|--flag.`
      : `Reviewed: ${a.reviewStatus}.`;
  return [text(`BREAK-GLASS: approved with nobody deciding. The agent's justification: ${justification} ${review}`, 'bad')];
}

function requestSection(a: ActionDetail, now: Date): Block[] {
  return [
    heading(`${a.type} ${a.id}`),
    ...breakGlassBanner(a, now),
    ...quorumWarning(a),
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
      ['Agent', agentCell(a)],
      ['Submitted', `${timestamp(a.createdAt)} (${age(a.createdAt, now)} ago)`],
      ['Deadline', a.deadline ? deadlineCell(a.deadline, now) : undefined],
      ['Escalation', a.escalationLevel !== null ? `level ${a.escalationLevel}` : undefined],
      ['Granted by', a.grant ? grantLine(a.grant) : undefined],
      ['Assignees', list(a.assignees.map(who))],
      ['Revision of', a.revisionOf ? `${a.revisionOf.id} (${words(a.revisionOf.status)}, submitted ${age(a.revisionOf.createdAt, now)} ago)` : undefined],
    ]),
  ];
}

/** `grant 7d0c… of alice (payments.transfer), use 3 of 20, until …`: the standing approval that let it through. */
function grantLine(g: NonNullable<ActionDetail['grant']>): string {
  const by = g.grantedBy.kind === 'ADMIN' ? `${g.grantedBy.name} (admin)` : g.grantedBy.name;
  const uses = g.maxUses === null ? `${g.uses} uses so far` : `${g.uses} of ${g.maxUses} uses`;
  return `grant ${g.id} of ${by} (${g.actionType}), ${uses}, ${g.revokedAt ? `revoked ${timestamp(g.revokedAt)}` : `until ${timestamp(g.expiresAt)}`}`;
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
  if (a.status === 'PENDING' && a.candidatePayload !== null && a.candidatePayload !== undefined && JSON.stringify(a.candidatePayload) !== JSON.stringify(a.payload)) {
    blocks.push(heading('Payload now up for approval (modified by an approver; approving approves this)'), code(prettyJson(a.candidatePayload)));
  }
  // What to approve exactly this with, should someone change it before the approval lands.
  if (a.status === 'PENDING') blocks.push(fields([['Payload hash', `${a.candidatePayloadHash} (approve only this one: approve --payload-hash)`]]));
  if (a.approvedPayload !== null && a.approvedPayload !== undefined && JSON.stringify(a.approvedPayload) !== JSON.stringify(a.payload)) {
    blocks.push(heading('Approved payload (modified by the approver)'), code(prettyJson(a.approvedPayload)));
  }
  return blocks;
}

/** A changed value, in one line: strings bare, the rest as JSON. */
function value(v: unknown): string {
  return v === null || v === undefined ? '(none)' : inline(v, 80);
}

/** For a revision: what the approver asked for, and what the agent changed. */
export function revisionSection(a: ActionDetail): Block[] {
  const r: RevisionChanges | null = a.revisionChanges;
  if (!a.revisionOf || !r) return [];
  const asked = r.requestedChanges;
  const blocks: Block[] = [
    heading(`What changed since ${a.revisionOf.id}`),
    fields([
      ['Original', a.revisionOf.summary],
      ['Asked for', asked ? `${who(asked)}, ${timestamp(asked.at)}${asked.comment ? `: "${asked.comment}"` : ''}` : undefined],
      ['Suggested', asked && asked.modifiedPayload !== null && asked.modifiedPayload !== undefined ? inline(asked.modifiedPayload, 200) : undefined],
      [
        'Follows it',
        r.followsSuggestion === null
          ? undefined
          : r.followsSuggestion
            ? toned('yes: the new payload is exactly the one suggested', 'good')
            : toned('no: the new payload differs from the one suggested', 'warn'),
      ],
    ]),
  ];
  if (r.fields.length === 0 && r.payload.length === 0) {
    blocks.push(text('Resubmitted unchanged: nothing differs from the original.', 'warn'));
    return blocks;
  }
  if (r.fields.length > 0) {
    blocks.push(table(['Field', { header: 'Before', flex: true }, { header: 'After', flex: true }], r.fields.map((f) => [f.field, value(f.before), value(f.after)])));
  }
  if (r.payload.length > 0) {
    const marker = { ADDED: '+', REMOVED: '-', CHANGED: '~' } as const;
    const tone = { ADDED: 'good', REMOVED: 'bad', CHANGED: 'warn' } as const;
    blocks.push(
      text('Payload:'),
      {
        kind: 'list',
        items: r.payload.map((c) => ({
          marker: marker[c.change],
          tone: tone[c.change],
          text: `${c.path || '(whole payload)'}: ${c.change === 'ADDED' ? value(c.after) : c.change === 'REMOVED' ? value(c.before) : `${value(c.before)} → ${value(c.after)}`}`,
        })),
      },
    );
    if (r.payloadTruncated) blocks.push(text('… and more differences than listed: compare the payloads below and with `show --json`.', 'muted'));
  }
  return blocks;
}

/** `AUTO 30 · SYNC_APPROVAL 7`, most first. */
function modes(byMode: AgentBaseline['byMode']): string {
  return [...byMode].filter((m) => m.count > 0).sort((x, y) => y.count - x.count).map((m) => `${m.mode} ${count(m.count)}`).join(' · ');
}

/** Below this many amounts (this request's included) a median and p95 say nothing: there is no baseline yet. */
const BASELINE_FROM = 5;

/** How many amounts the baseline's percentiles must stand on before this request's own weighs little in them. */
const SOLID_SAMPLES = 10;

function times(ratio: number): string {
  return `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`;
}

/**
 * This request's amount held against what the agent usually asks for with this type and
 * currency. The baseline counts this request too; while it has few samples that skews
 * it, so the request is then held against the agent's earlier requests of the type.
 */
function amountAgainstUsual(a: ActionDetail): [string, Cell][] {
  const amount = a.amount;
  if (!amount) return [];
  const usual = a.agent.baseline.usualAmounts.find((u) => u.type === a.type && u.currency === amount.currency);
  const earlier = a.similar.sameAgent.filter((d) => d.id !== a.id && d.amount?.currency === amount.currency).map((d) => d.amount!.value);
  const rows: [string, Cell][] = [];
  if (usual && usual.samples >= BASELINE_FROM) {
    rows.push(['Usual amount', `median ${money({ value: usual.p50, currency: usual.currency })}, normal high (p95) ${money({ value: usual.p95, currency: usual.currency })}, over ${count(usual.samples)} including this one`]);
  } else {
    const so = usual ? `${count(usual.samples)} ${a.type} in ${amount.currency} so far, this one included` : `no ${a.type} in ${amount.currency} counted yet`;
    rows.push(['Usual amount', toned(`no baseline yet: ${so} (it takes ${BASELINE_FROM})`, 'muted')]);
  }
  if (usual && usual.samples > SOLID_SAMPLES) {
    rows.push(['This request', amount.value <= usual.p95 ? toned(`${money(amount)}: within its usual range`, 'good') : toned(`${money(amount)}: ${usual.p95 > 0 ? `${times(amount.value / usual.p95)} ` : 'above '}its normal high`, 'bad')]);
  } else if (earlier.length > 0) {
    const largest = Math.max(...earlier);
    const versus = `the largest of its last ${earlier.length} ${a.type} in ${amount.currency} (${money({ value: largest, currency: amount.currency })})`;
    rows.push(['This request', amount.value <= largest ? toned(`${money(amount)}: within ${versus}`, 'good') : toned(`${money(amount)}: ${largest > 0 ? `${times(amount.value / largest)} ` : 'above '}${versus}`, 'bad')]);
  } else {
    rows.push(['This request', toned(`${money(amount)}: the first ${a.type} in ${amount.currency} from this agent, nothing to compare with`, 'warn')]);
  }
  return rows;
}

/** The agent's normal: rate, how its requests are usually decided, its usual amounts, its latest requests. */
export function historySection(a: ActionDetail, now: Date): Block[] {
  const b = a.agent.baseline;
  const recent = recentOf(a);
  const rate =
    b.actionsPerHour === null
      ? `${count(b.requestsLastHour)} in the last hour (under a day of history: no usual rate yet)`
      : `usually ${Math.round(b.actionsPerHour * 10) / 10} an hour; ${count(b.requestsLastHour)} in the last hour`;
  const burst = b.actionsPerHour !== null && b.requestsLastHour > Math.max(3, 3 * b.actionsPerHour);
  const decided =
    b.humanDecisions === 0
      ? 'none yet'
      : `${count(b.humanDecisions)}: ${[
          `${percent(b.approvalRate)} approved`,
          `${percent(b.denialRate)} denied`,
          b.changesRequestedRate ? `${percent(b.changesRequestedRate)} sent back for changes` : '',
        ].filter(Boolean).join(' · ')}`;
  const incidents = [b.blocked > 0 ? `${count(b.blocked)} blocked by policy` : '', b.expired > 0 ? `${count(b.expired)} expired undecided` : ''].filter(Boolean).join(' · ');
  return [
    heading(`Agent ${a.agent.name}: what is normal for it`),
    fields([
      ['Requests', `${count(b.requests)} since ${timestamp(b.since)}${b.firstSeenAt ? `, first seen ${age(b.firstSeenAt, now)} ago` : ''}`],
      ['Rate', burst ? toned(`${rate}: a burst`, 'warn') : rate],
      ['Modes', modes(b.byMode) || undefined],
      ['Human decisions', b.denialRate !== null && b.denialRate > 0 ? toned(decided, 'warn') : decided],
      ['Reviewed', b.reviewed > 0 ? (b.flagRate ? toned(`${count(b.reviewed)}, ${percent(b.flagRate)} flagged`, 'bad') : `${count(b.reviewed)}, none flagged`) : undefined],
      ['Incidents', incidents ? toned(incidents, 'warn') : undefined],
      ...amountAgainstUsual(a),
      ['Recent', historySummary(recent, a.amount?.currency)],
    ]),
    table(
      ['ID', 'Risk', 'Type', 'Status', 'Amount', { header: 'Summary', flex: true }, 'Age'],
      recent.map((r) => [r.id, risk(r.risk), r.type, status(r.status), money(r.amount), r.summary, age(r.createdAt, now)]),
    ),
  ];
}

/** How a past request ended: `APPROVED by bob: "matches PO-7"`, or who let it through when no human decided. */
function decidedCell(d: ActionDigest): Cell {
  const last = d.decisions.at(-1);
  if (last) {
    const by = d.decisions.map((x) => (x.onBehalfOf ? `${x.approver.name} (for ${x.onBehalfOf.name})` : x.approver.name));
    return toned(`${words(d.status)} by ${[...new Set(by)].join(', ')}${last.comment ? `: "${last.comment}"` : ''}`, statusTone(d.status));
  }
  const how =
    d.status === 'PENDING' ? 'pending' :
    d.mode === 'AUTO' ? `${words(d.status)}, automatically` :
    d.mode === 'ASYNC_REVIEW' ? `ran; review ${words(d.reviewStatus ?? 'UNREVIEWED')}` :
    d.mode === 'BLOCK' ? 'blocked by policy' :
    `${words(d.status)}${d.statusReason && d.statusReason !== d.status ? ` (${words(d.statusReason)})` : ''}`;
  return toned(how, d.reviewStatus === 'FLAGGED' ? 'bad' : statusTone(d.status));
}

/** Earlier requests of the same type, by this agent and by others, and how each was decided. */
export function precedentSection(a: ActionDetail, now: Date): Block[] {
  const same = a.similar.sameAgent.filter((d) => d.id !== a.id);
  const others = a.similar.otherAgents.filter((d) => d.id !== a.id);
  const rows = [...same, ...others];
  return [
    heading(`Earlier ${a.type} requests and how they were decided`),
    fields([
      [`By ${a.agent.name}`, same.length > 0 ? `last ${same.length}: ${outcomes(same)}` : 'none'],
      ['By other agents', others.length > 0 ? `last ${others.length}: ${outcomes(others)}` : 'none'],
    ]),
    table(
      ['ID', 'Agent', 'Risk', 'Amount', { header: 'Decided', flex: true }, { header: 'Summary', flex: true }, 'Age'],
      rows.map((d) => [d.id, d.agent.name, risk(d.risk), money(d.amount), decidedCell(d), d.summary, age(d.createdAt, now)]),
    ),
  ];
}

function decisionsSection(a: ActionDetail): Block[] {
  const blocks: Block[] = [
    heading('Decisions'),
    table(
      ['At', 'Approver', 'Verdict', { header: 'Comment', flex: true }],
      a.decisions.map((d) => [timestamp(d.at), who(d), d.superseded ? toned(`${d.verdict} (of an earlier payload: no longer counts)`, 'muted') : status(d.verdict), d.comment ?? '']),
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

/** The audit trail in words: who (by name) and what happened; `--json` has the events as stored. */
function timelineSection(a: ActionDetail, names: Names): Block[] {
  return [
    heading('Timeline'),
    table(
      [{ header: '#', align: 'right' }, 'At', 'By', { header: 'What happened', flex: true }],
      a.auditTrail.map((e) => [String(e.seq), timestamp(e.at), actorOf(e, names), describeEvent(e, names)]),
      'No events.',
    ),
  ];
}

/**
 * What the reader can do next with this request: the decide commands only for someone
 * who may run them (an approver assigned to it now); others are told who decides.
 */
function nextStep(a: ActionDetail, viewer: Principal | null | undefined): Block[] {
  const assigned = viewer?.kind === 'APPROVER' && a.assignees.some((x) => x.approver.id === viewer.id);
  const unknown = viewer === null || viewer === undefined;
  const commands =
    a.status === 'PENDING'
      ? [`countersign approve ${a.id} --comment …`, `countersign deny ${a.id} --comment …`, `countersign request-changes ${a.id} --comment …`]
      : a.reviewStatus === 'UNREVIEWED'
        ? [`countersign review ${a.id} --ack`, `countersign review ${a.id} --flag --comment …`]
        : [];
  if (commands.length === 0) return [];
  if (!assigned && !unknown) {
    const deciders = a.assignees.length > 0 ? list(a.assignees.map(who)) : 'nobody at the moment';
    const task = a.status === 'PENDING' ? 'decide' : 'review';
    const you = viewer.kind === 'ADMIN' ? 'An admin token cannot' : a.agent.owner?.id === viewer.id ? 'You own this agent, so you cannot' : 'You are not assigned to it, so you cannot';
    return [heading('Next'), text(`${you} ${task} it; it waits for ${deciders}, with their own tokens.`, 'muted')];
  }
  return [heading('Next'), { kind: 'list', items: commands.map((command) => ({ marker: '$', text: command, tone: 'muted' as const })) }];
}

/**
 * Sections in the order an approver reads: what and why, how risky and why, what
 * happens either way, for a revision what changed, the exact payload, what is normal for
 * the agent, how similar requests were decided, and what already happened to this
 * request. `--json` is the server's answer as is (`agent.recentActions`, `agent.baseline`,
 * `similar`, `revisionChanges` included), so `show <id> --json | jq .payload` works.
 */
export const showPresenter: Presenter<ShowResult> = {
  data: (r) => r.action,
  view: ({ action: a, viewer, names }, now) => [
    ...requestSection(a, now),
    ...riskSection(a),
    ...policySection(a),
    ...revisionSection(a),
    ...payloadSection(a),
    ...historySection(a, now),
    ...precedentSection(a, now),
    ...decisionsSection(a),
    ...timelineSection(a, names ?? new Map()),
    ...nextStep(a, viewer),
  ],
};
