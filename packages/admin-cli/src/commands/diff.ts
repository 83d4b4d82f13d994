import type { GovernanceChange } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { ExitCode } from '../errors.js';
import { plan } from '../governance/plan.js';
import { text } from '../output/view.js';
import { planView } from './apply.js';

export interface DiffOptions {
  readonly file: string;
}

export interface DiffResult {
  readonly file: string;
  readonly changes: readonly GovernanceChange[];
  readonly warnings: readonly string[];
}

/** `kubectl diff` for governance: what `apply` would change, without changing it. */
export async function diff(ctx: CommandContext, options: DiffOptions): Promise<DiffResult> {
  const planned = await plan(ctx, options.file);
  return { file: planned.file.name, changes: planned.changes, warnings: planned.warnings };
}

/** With `exitCode`, differences exit with {@link ExitCode.DIFFERENCES} (drift detection in CI). */
export function diffPresenter(options: { readonly exitCode?: boolean }): Presenter<DiffResult> {
  return {
    view: (r) =>
      r.changes.length === 0
        ? [text(`No differences: ${r.file} matches the current governance.`, 'good')]
        : planView(r.changes, r.warnings),
    exitCode: (r) => (options.exitCode && r.changes.length > 0 ? ExitCode.DIFFERENCES : ExitCode.OK),
  };
}
