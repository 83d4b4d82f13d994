import { GOVERNANCE } from '../api/operations.js';
import type { Governance } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { parseDocument } from '../governance/document.js';
import { timestamp } from '../output/format.js';
import { warningsBlock } from '../governance/changes-view.js';
import { fields, heading, table, text, toned, type Block } from '../output/view.js';

/**
 * The governance in force, flattened for display and scripts, or null before the first
 * `apply`. The document is exactly as applied, comments included.
 */
export type GetGovernanceResult = (NonNullable<Governance['current']> & { readonly version: number; readonly document: string }) | null;

/** Reads the governance in force, flattened for display and scripts. */
export async function getGovernance(ctx: CommandContext): Promise<GetGovernanceResult> {
  const api = await ctx.api();
  const { governance } = await api.request(GOVERNANCE, {});
  if (governance.version === null || governance.document === null) return null;
  return {
    version: governance.version,
    appliedAt: governance.current?.appliedAt ?? '',
    appliedBy: governance.current?.appliedBy ?? '',
    warnings: governance.current?.warnings ?? [],
    document: governance.document,
  };
}

interface Named {
  readonly name?: unknown;
  readonly priority?: unknown;
}

function entries(document: unknown, key: string): ReadonlyArray<Named & Record<string, unknown>> {
  const value = (document as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? (value as Array<Named & Record<string, unknown>>) : [];
}

function str(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** `role:finance 15m → role:finance-lead 30m`: a chain on one line. */
function levelsOf(chain: Record<string, unknown>): string {
  const levels = Array.isArray(chain.levels) ? (chain.levels as Array<Record<string, unknown>>) : [];
  return levels
    .map((level) => {
      const a = (level.approvers ?? {}) as Record<string, unknown>;
      const who = [a.role ? `role:${str(a.role)}` : '', ...(Array.isArray(a.roles) ? a.roles.map((r) => `role:${str(r)}`) : []), ...(Array.isArray(a.names) ? a.names.map(str) : [])]
        .filter(Boolean)
        .join('+');
      return `${who}${level.timeout !== undefined ? ` ${str(level.timeout)}` : ''}`;
    })
    .join(' → ');
}

/**
 * `-o yaml` prints the document exactly as it was applied, comments included, so
 * `get governance -o yaml > governance.yaml` round-trips; `--json` adds the version and
 * gives the document as structured data for `jq`.
 */
export const getGovernancePresenter: Presenter<GetGovernanceResult> = {
  view(g) {
    if (!g) return [text('No governance applied yet. Start with: countersign init && countersign apply -f governance.yaml')];
    const doc = parseDocument(g.document);
    const blocks: Block[] = [
      fields([
        ['Version', String(g.version)],
        ['Applied', `${timestamp(g.appliedAt)} by ${g.appliedBy}`],
        ['Warnings', g.warnings.length > 0 ? toned(`${g.warnings.length} when applied (listed below)`, 'warn') : 'none'],
      ]),
      heading('Policies'),
      table(['Name', 'Priority', { header: 'Match', flex: true }], entries(doc, 'policies').map((p) => [str(p.name), str(p.priority), str(p.match)]), 'none'),
      heading('Routes'),
      table(['Name', 'Priority', { header: 'When', flex: true }, 'Chain'], entries(doc, 'routes').map((r) => [str(r.name), str(r.priority), str(r.when), str(r.chain)]), 'none'),
      heading('Escalation chains'),
      table(['Name', { header: 'Levels', flex: true }], entries(doc, 'escalationChains').map((c) => [str(c.name), levelsOf(c)]), 'none'),
    ];
    if (g.warnings.length > 0) blocks.push(heading('Warnings when applied'), warningsBlock(g.warnings));
    blocks.push(text(''), text('The full document: countersign get governance -o yaml', 'muted'));
    return blocks;
  },
  data: (g) => (g ? { ...g, document: parseDocument(g.document) } : null),
  yaml: (g) => (g ? (g.document.endsWith('\n') ? g.document : `${g.document}\n`) : ''),
};
