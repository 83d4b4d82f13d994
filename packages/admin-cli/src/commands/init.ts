import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { lintGovernance } from '../governance/lint.js';
import { GOVERNANCE_TEMPLATE } from '../governance/template.js';
import { heading, text, type View } from '../output/view.js';

export interface InitOptions {
  readonly file: string;
  readonly force?: boolean;
}

export interface InitResult {
  readonly path: string;
  readonly policies: number;
  readonly escalationChains: number;
  readonly routes: number;
}

/** Writes the starter governance document; never overwrites one without `--force`. */
export async function init(ctx: CommandContext, options: InitOptions): Promise<InitResult> {
  const path = resolve(ctx.io.cwd, options.file);
  try {
    await writeFile(path, GOVERNANCE_TEMPLATE, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${options.file} already exists: pass --force to overwrite it, or -f to write elsewhere.`, ExitCode.CONFLICT);
    }
    throw CliError.usage(`Cannot write ${options.file}: ${(error as Error).message}.`);
  }
  return { path: options.file, ...lintGovernance(GOVERNANCE_TEMPLATE).counts };
}

export const initPresenter: Presenter<InitResult> = {
  view: (r): View => [
    text(`Wrote ${r.path}: ${r.policies} policies, ${r.escalationChains} escalation chains, ${r.routes} routes.`, 'good'),
    heading('Next'),
    text(`  1. Read and edit ${r.path}: every section explains itself.`),
    text(`  2. countersign lint -f ${r.path}`),
    text(`  3. countersign apply -f ${r.path} --dry-run`),
    text(`  4. countersign apply -f ${r.path}`),
    text('  5. Create approvers for the roles it names: countersign approvers create --name alice --role finance'),
  ],
};
