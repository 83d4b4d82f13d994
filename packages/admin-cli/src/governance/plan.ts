import { APPLY_GOVERNANCE } from '../api/operations.js';
import type { GovernanceChange } from '../api/types.js';
import type { CommandContext } from '../command.js';
import { readValidGovernanceFile, type GovernanceFile } from './document.js';

/** What applying a document would do, according to the server's dry run. */
export interface Plan {
  readonly file: GovernanceFile;
  /** The version the document would become. */
  readonly version: number;
  readonly changes: readonly GovernanceChange[];
  readonly warnings: readonly string[];
}

/**
 * Lints the file offline, then asks the server for a dry run (`applyGovernance` with
 * `dryRun: true`): the diff against the current version and the lint warnings that need
 * the server's knowledge. Shared by `apply` and `diff`, which must agree on what changes.
 */
export async function plan(ctx: CommandContext, path: string): Promise<Plan> {
  const file = await readValidGovernanceFile(ctx, path);
  const api = await ctx.api();
  const { applyGovernance } = await api.request(APPLY_GOVERNANCE, { document: file.text, dryRun: true });
  return { file, version: applyGovernance.version, changes: applyGovernance.changes, warnings: applyGovernance.warnings };
}
