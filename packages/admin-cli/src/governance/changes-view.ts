import type { GovernanceChange } from '../api/types.js';
import type { Block, Tone } from '../output/view.js';
import { assertNever } from '../util/never.js';

const MARKS: Record<GovernanceChange['op'], { marker: string; tone: Tone; verb: string }> = {
  CREATE: { marker: '+', tone: 'good', verb: 'added' },
  UPDATE: { marker: '~', tone: 'warn', verb: 'changed' },
  DELETE: { marker: '-', tone: 'bad', verb: 'removed' },
};

function mark(op: GovernanceChange['op']) {
  switch (op) {
    case 'CREATE':
    case 'UPDATE':
    case 'DELETE':
      return MARKS[op];
    default:
      return assertNever(op);
  }
}

/** `2 added, 1 removed` — terraform's plan summary, in Countersign's words. */
export function changeSummary(changes: readonly GovernanceChange[]): string {
  const counts = (['CREATE', 'UPDATE', 'DELETE'] as const).map((op) => [mark(op).verb, changes.filter((c) => c.op === op).length] as const);
  const parts = counts.filter(([, n]) => n > 0).map(([verb, n]) => `${n} ${verb}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

/** `policy payments`, or just `riskModel` for the one thing of its kind. */
export function changeSubject(change: GovernanceChange): string {
  return change.kind === change.name ? change.kind : `${change.kind} ${change.name}`;
}

/** `+policy payments`: one change, compact, for a history line. */
export function changeShort(change: GovernanceChange): string {
  return `${mark(change.op).marker}${changeSubject(change)}`;
}

/** The diff as people read it: `+ policy payments` / `~ route everything-else` / `- chain old`. */
export function changesBlock(changes: readonly GovernanceChange[]): Block {
  const items = changes.map((change) => {
    const { marker, tone, verb } = mark(change.op);
    return { marker, text: `${changeSubject(change)} (${verb})`, tone };
  });
  return { kind: 'list', items };
}

/** The server's lint warnings, each on its own line. */
export function warningsBlock(warnings: readonly string[]): Block {
  return { kind: 'list', items: warnings.map((warning) => ({ marker: '!', text: warning, tone: 'warn' as const })) };
}
