import type { GovernanceChange } from '../api/types.js';
import { APPLY_GOVERNANCE } from '../api/operations.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { changesBlock, changeSummary, warningsBlock } from '../governance/changes-view.js';
import { describeProblem, readGovernanceFile } from '../governance/document.js';
import type { Problem } from '../governance/lint.js';
import { heading, text, type Block } from '../output/view.js';

export interface LintOptions {
  readonly file: string;
  readonly offline?: boolean;
}

/** What the server's dry run said, or why it was not asked. */
export type ServerCheck =
  | { readonly checked: false; readonly reason: string }
  | { readonly checked: true; readonly changes: readonly GovernanceChange[]; readonly warnings: readonly string[] };

export interface LintResult {
  readonly file: string;
  readonly valid: boolean;
  readonly problems: readonly Problem[];
  readonly server: ServerCheck;
}

/**
 * Lints a document offline, then, when connected and the offline check passed, asks the
 * server for a dry run: it alone knows which roles people hold and which quorums can be met.
 * Server-side rejections become problems, so the whole verdict prints in one place.
 */
export async function lint(ctx: CommandContext, options: LintOptions): Promise<LintResult> {
  const file = await readGovernanceFile(ctx, options.file);
  const problems = [...file.report.problems];
  const hasErrors = () => problems.some((p) => p.severity === 'error');
  let server: ServerCheck;
  if (options.offline) server = { checked: false, reason: '--offline' };
  else if (hasErrors()) server = { checked: false, reason: 'the document has errors' };
  else if (!(await ctx.connection()).token) server = { checked: false, reason: 'not logged in' };
  else {
    const api = await ctx.api();
    try {
      const { applyGovernance } = await api.request(APPLY_GOVERNANCE, { document: file.text, dryRun: true });
      // The server runs the offline checks too: say each warning once.
      const warnings = applyGovernance.warnings.filter((warning) => !problems.some((p) => p.message === warning));
      server = { checked: true, changes: applyGovernance.changes, warnings };
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.INVALID) throw error;
      problems.push({ severity: 'error', path: '', message: `rejected by the server: ${error.message}` });
      server = { checked: true, changes: [], warnings: [] };
    }
  }
  return { file: file.name, valid: !hasErrors(), problems, server };
}

export const lintPresenter: Presenter<LintResult> = {
  view(r) {
    const errors = r.problems.filter((p) => p.severity === 'error').length;
    const warnings = r.problems.length - errors + (r.server.checked ? r.server.warnings.length : 0);
    const blocks: Block[] = r.problems.map((p) => text(describeProblem(r.file, p), p.severity === 'error' ? 'bad' : 'warn'));
    if (r.server.checked && r.server.warnings.length > 0) {
      blocks.push(heading('Server warnings'), warningsBlock(r.server.warnings));
    }
    if (r.server.checked && r.server.changes.length > 0) {
      blocks.push(heading(`Applying it would change (${changeSummary(r.server.changes)})`), changesBlock(r.server.changes));
    }
    if (blocks.length > 0) blocks.push(text(''));
    const serverNote = r.server.checked ? 'checked offline and on the server' : `checked offline only (server skipped: ${r.server.reason})`;
    blocks.push(
      r.valid
        ? text(`${r.file} is valid${warnings > 0 ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}; ${serverNote}.`, 'good')
        : text(`${r.file} has ${errors} error${errors === 1 ? '' : 's'}; ${serverNote}.`, 'bad'),
    );
    return blocks;
  },
  exitCode: (r) => (r.valid ? ExitCode.OK : ExitCode.INVALID),
};
