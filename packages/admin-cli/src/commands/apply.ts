import { APPLY_GOVERNANCE } from '../api/operations.js';
import type { GovernanceChange } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { ExitCode } from '../errors.js';
import { changesBlock, changeSummary, warningsBlock } from '../governance/changes-view.js';
import { plan } from '../governance/plan.js';
import { heading, text, type Block, type View } from '../output/view.js';

export interface ApplyOptions {
  readonly file: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

/**
 * - `unchanged`: the document matches the current version; nothing was stored.
 * - `planned`: `--dry-run`; nothing was stored.
 * - `applied`: stored as `version`.
 * - `declined`: the person at the terminal said no.
 */
export type ApplyOutcome = 'unchanged' | 'planned' | 'applied' | 'declined';

export interface ApplyResult {
  readonly outcome: ApplyOutcome;
  readonly file: string;
  /** `applied`: the version now in force; `planned`: the version it would become. */
  readonly version?: number;
  readonly changes: readonly GovernanceChange[];
  readonly warnings: readonly string[];
}

/**
 * `terraform apply` for governance: plan (a server dry run), show the plan, ask, apply.
 * Nobody is asked when stdin is not a terminal (CI), with `--yes`, or when there is
 * nothing to change; `--dry-run` stops after the plan.
 */
export async function apply(ctx: CommandContext, options: ApplyOptions): Promise<ApplyResult> {
  const planned = await plan(ctx, options.file);
  const base = { file: planned.file.name, changes: planned.changes, warnings: planned.warnings };
  if (planned.changes.length === 0) return { outcome: 'unchanged', ...base };
  if (options.dryRun) return { outcome: 'planned', version: planned.version, ...base };
  if (ctx.interactive && !options.yes) {
    ctx.show(planView(planned.changes, planned.warnings));
    if (!(await ctx.confirm(`Apply these changes to the governance of ${(await ctx.api()).url}?`))) {
      return { outcome: 'declined', ...base };
    }
  }
  const api = await ctx.api();
  const { applyGovernance } = await api.request(APPLY_GOVERNANCE, { document: planned.file.text, dryRun: false });
  return {
    // Someone may have applied the same document between the plan and now.
    outcome: applyGovernance.applied ? 'applied' : 'unchanged',
    file: planned.file.name,
    version: applyGovernance.version,
    changes: applyGovernance.changes,
    warnings: applyGovernance.warnings,
  };
}

/** The plan as shown before the question and after a dry run. */
export function planView(changes: readonly GovernanceChange[], warnings: readonly string[]): View {
  const blocks: Block[] = [heading(`Changes (${changeSummary(changes)})`), changesBlock(changes)];
  if (warnings.length > 0) blocks.push(heading('Warnings'), warningsBlock(warnings));
  return blocks;
}

export const applyPresenter: Presenter<ApplyResult> = {
  view(r) {
    const warnings: Block[] = r.warnings.length > 0 ? [heading('Warnings'), warningsBlock(r.warnings)] : [];
    switch (r.outcome) {
      case 'unchanged':
        return [...warnings, ...(warnings.length > 0 ? [text('')] : []), text(`No changes: ${r.file} matches the current governance.`, 'good')];
      case 'planned':
        return [
          ...planView(r.changes, r.warnings),
          text(''),
          text(`Dry run: nothing was changed. \`countersign apply -f ${r.file}\` would make this version ${r.version ?? '?'}.`, 'muted'),
        ];
      case 'declined':
        return [text('Apply cancelled: nothing was changed.', 'warn')];
      case 'applied':
        return [...planView(r.changes, r.warnings), text(''), text(`Applied: governance is now version ${r.version ?? '?'}.`, 'good')];
    }
  },
  exitCode: (r) => (r.outcome === 'declined' ? ExitCode.ERROR : ExitCode.OK),
};
