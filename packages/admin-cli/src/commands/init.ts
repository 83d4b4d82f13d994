import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { lintGovernance } from '../governance/lint.js';
import { GATEWAY_TEMPLATE } from '../governance/gateway-template.js';
import { GOVERNANCE_TEMPLATE } from '../governance/template.js';
import { heading, text, type View } from '../output/view.js';

export interface InitOptions {
  readonly file: string;
  readonly force?: boolean;
  /** Also write a sample MCP gateway config (gateway.yaml) beside the document. */
  readonly mcp?: boolean;
}

export interface InitResult {
  readonly path: string;
  readonly policies: number;
  readonly escalationChains: number;
  readonly routes: number;
  /** Where the sample MCP gateway config was written, with `--mcp`. */
  readonly gateway?: string;
}

/** Writes the starter governance document; never overwrites one without `--force`. */
export async function init(ctx: CommandContext, options: InitOptions): Promise<InitResult> {
  const gateway = options.mcp ? join(dirname(options.file), 'gateway.yaml') : undefined;
  await writeNew(resolve(ctx.io.cwd, options.file), options.file, GOVERNANCE_TEMPLATE, options.force);
  if (gateway) await writeNew(resolve(ctx.io.cwd, gateway), gateway, GATEWAY_TEMPLATE, options.force);
  return { path: options.file, ...lintGovernance(GOVERNANCE_TEMPLATE).counts, ...(gateway ? { gateway } : {}) };
}

async function writeNew(path: string, shown: string, content: string, force: boolean | undefined): Promise<void> {
  try {
    await writeFile(path, content, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${shown} already exists: pass --force to overwrite it, or -f to write elsewhere.`, ExitCode.CONFLICT);
    }
    throw CliError.usage(`Cannot write ${shown}: ${(error as Error).message}.`);
  }
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
    ...(r.gateway
      ? [text(`  6. MCP tools: edit ${r.gateway}, then COUNTERSIGN_API_KEY=<agent key> countersign-mcp --config ${r.gateway}`)]
      : []),
  ],
};
