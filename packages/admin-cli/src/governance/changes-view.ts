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

/** `2 added, 1 changed, 1 removed` — terraform's plan summary, in Countersign's words. */
export function changeSummary(changes: readonly GovernanceChange[]): string {
  const counts = (['CREATE', 'UPDATE', 'DELETE'] as const).map((op) => [mark(op).verb, changes.filter((c) => c.op === op).length] as const);
  return counts.map(([verb, n]) => `${n} ${verb}`).join(', ');
}

/** The diff as people read it: `+ policy payments` / `~ route everything-else` / `- chain old`. */
export function changesBlock(changes: readonly GovernanceChange[]): Block {
  const items = changes.map((change) => {
    const { marker, tone, verb } = mark(change.op);
    return { marker, text: `${change.kind} ${change.name} (${verb})`, tone };
  });
  return { kind: 'list', items };
}

/** The server's lint warnings, each on its own line. */
export function warningsBlock(warnings: readonly string[]): Block {
  return { kind: 'list', items: warnings.map((warning) => ({ marker: '!', text: warning, tone: 'warn' as const })) };
}
