import { SIMULATE_GOVERNANCE } from '../api/operations.js';
import type { ModeCount, SimulatedChange, Simulation } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { readValidGovernanceFile } from '../governance/document.js';
import { count } from '../output/figures.js';
import { status, timestamp } from '../output/format.js';
import { fields, heading, table, text, toned, type Block, type Cell } from '../output/view.js';
import { parseSince } from '../util/time.js';

/** How many changed requests `simulate` lists unless `--limit` says otherwise. */
export const DEFAULT_CHANGES_LISTED = 20;

export interface SimulateOptions {
  readonly file: string;
  readonly since: string;
  /** How many changed requests to list; the counts cover them all. */
  readonly limit?: number;
}

export interface SimulateResult {
  /** The draft as named on the command line. */
  readonly file: string;
  /** The server's answer, as is (what `--json` prints). */
  readonly simulation: Simulation;
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
  const { simulateGovernance } = await api.request(SIMULATE_GOVERNANCE, { document: file.text, since, first: options.limit ?? DEFAULT_CHANGES_LISTED });
  return { file: file.name, simulation: simulateGovernance };
}

const MODE_ORDER = ['AUTO', 'ASYNC_REVIEW', 'SYNC_APPROVAL', 'BLOCK'] as const;
const LEVEL_ORDER = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** Stricter (more human attention) or looser: what the reader must weigh. */
function direction<T extends string>(order: readonly T[], from: T, to: T): 'stricter' | 'looser' | 'same' {
  const d = order.indexOf(to) - order.indexOf(from);
  return d > 0 ? 'stricter' : d < 0 ? 'looser' : 'same';
}

/** `SYNC_APPROVAL → AUTO`, yellow when the draft asks less of people, plain otherwise. */
function arrow<T extends string>(order: readonly T[], from: T, to: T): Cell {
  if (from === to) return from;
  return toned(`${from} → ${to}`, direction(order, from, to) === 'looser' ? 'warn' : 'accent');
}

function routeCell(c: SimulatedChange): Cell {
  if (c.noRoute) return toned('no route: denied', 'bad');
  if (c.fromRoute === c.toRoute) return c.toRoute ?? '';
  return `${c.fromRoute ?? '-'} → ${c.toRoute ?? '-'}`;
}

function modesTable(current: readonly ModeCount[], draft: readonly ModeCount[]): Block {
  const of = (list: readonly ModeCount[], mode: string) => list.find((m) => m.mode === mode)?.count ?? 0;
  const modes = MODE_ORDER.filter((m) => of(current, m) > 0 || of(draft, m) > 0);
  return table(
    ['Mode', { header: 'Now', align: 'right' }, { header: 'Draft', align: 'right' }, { header: 'Change', align: 'right' }],
    modes.map((m) => {
      const delta = of(draft, m) - of(current, m);
      return [m, count(of(current, m)), count(of(draft, m)), delta === 0 ? '' : toned(`${delta > 0 ? '+' : ''}${count(delta)}`, delta > 0 ? 'accent' : 'warn')];
    }),
    'No requests.',
  );
}

export const simulatePresenter: Presenter<SimulateResult> = {
  data: (r) => r.simulation,
  view: ({ file, simulation: s }) => {
    const listed = s.changes.length;
    const blocks: Block[] = [
      text(
        `Replayed ${count(s.evaluated)} requests since ${timestamp(s.since)} against ${file}: ` +
          (s.changed === 0 ? 'none would be handled differently.' : `${count(s.changed)} would be handled differently.`),
        s.changed > 0 ? 'warn' : 'good',
      ),
    ];
    if (s.breakGlassRefused > 0) {
      blocks.push(text(`${count(s.breakGlassRefused)} break-glass approvals would be denied under the draft (break-glass not allowed, no route, or blocked).`, 'warn'));
    }
    if (s.truncated) blocks.push(text('More requests matched than one simulation replays: only the newest were replayed. Use a later --since for exact counts.', 'warn'));
    if (s.changed > 0) {
      blocks.push(
        fields([
          ['Mode changed', count(s.modeChanged)],
          ['Level changed', count(s.levelChanged)],
          ['Route changed', count(s.routeChanged)],
          ['No route', s.noRoute > 0 ? toned(`${count(s.noRoute)} would need people but match no route: they would be denied`, 'bad') : undefined],
        ]),
      );
    }
    if (s.grantable > 0) blocks.push(text(`${count(s.grantable)} would need an approval that a standing approval (grant) could give under the draft's grants blocks.`));
    blocks.push(heading('Requests by mode: as handled, and under the draft'), modesTable(s.currentByMode, s.byMode));
    if (s.transitions.length > 0) {
      blocks.push(
        heading('Mode transitions'),
        table(
          ['From', 'To', { header: 'Requests', align: 'right' }, 'Draft asks'],
          s.transitions.map((t) => {
            const d = direction(MODE_ORDER, t.from, t.to);
            return [t.from, t.to, count(t.count), toned(d === 'looser' ? 'less of people' : 'more of people', d === 'looser' ? 'warn' : 'accent')];
          }),
        ),
      );
    }
    if (listed > 0) {
      blocks.push(
        heading(listed < s.changed ? `Changed requests (newest ${count(listed)} of ${count(s.changed)})` : 'Changed requests'),
        table(
          ['Request', 'Type', 'Agent', 'Mode', 'Level', 'Route', 'Status', { header: 'Summary', flex: true }],
          s.changes.map((c) => [c.actionId, c.type, c.agent.name, arrow(MODE_ORDER, c.fromMode, c.toMode), arrow(LEVEL_ORDER, c.fromLevel, c.toLevel), routeCell(c), status(c.status), c.summary]),
        ),
      );
      if (listed < s.changed) blocks.push(text(`${count(s.changed - listed)} more not listed: --limit ${Math.min(1000, s.changed)} lists them, --json for scripts.`, 'muted'));
    }
    if (s.evaluationNotes.length > 0) {
      blocks.push(
        heading('Draft conditions that failed to evaluate (counted as false)'),
        { kind: 'list', items: s.evaluationNotes.map((n) => ({ marker: '!', tone: 'warn' as const, text: `${n.message} (${count(n.count)} requests)` })) },
      );
    }
    if (s.changed > 0 && file !== '<stdin>') blocks.push(text(`Next: countersign diff -f ${file}, then countersign apply -f ${file} when the changes are the ones you meant.`, 'muted'));
    return blocks;
  },
};
