import { parse as parseYaml } from 'yaml';
import type { CommandContext } from '../command.js';
import { CliError } from '../errors.js';
import { readInputFile } from '../util/input.js';
import { lintGovernance, type LintReport, type Problem } from './lint.js';

/** A governance document read from `-f`, with its offline lint. */
export interface GovernanceFile {
  readonly name: string;
  readonly text: string;
  readonly report: LintReport;
}

/** `governance.yaml:12:5` — the compiler-style location editors and CI logs link to. */
export function location(file: string, problem: Pick<Problem, 'line' | 'column'>): string {
  if (problem.line === undefined) return file;
  return problem.column === undefined ? `${file}:${problem.line}` : `${file}:${problem.line}:${problem.column}`;
}

/** One line per problem: `governance.yaml:12:5: error: routes[pay].chain: no escalation chain named "x"`. */
export function describeProblem(file: string, problem: Problem): string {
  return `${location(file, problem)}: ${problem.severity}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/** Reads `-f` and lints it offline; the caller decides what the problems mean. */
export async function readGovernanceFile(ctx: CommandContext, path: string): Promise<GovernanceFile> {
  const { name, text } = await readInputFile(ctx.io, path);
  if (text.trim() === '') throw CliError.invalid(`${name} is empty.`);
  return { name, text, report: lintGovernance(text) };
}

/**
 * Reads a document that is about to be sent to the server, refusing it when the offline
 * lint already knows the server would: the user gets the file position of the first
 * problem at once instead of a round trip.
 */
export async function readValidGovernanceFile(ctx: CommandContext, path: string): Promise<GovernanceFile> {
  const file = await readGovernanceFile(ctx, path);
  const errors = file.report.problems.filter((p) => p.severity === 'error');
  const [first] = errors;
  if (first) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more: run \`countersign lint -f ${path}\`)` : '';
    // The top level prints "error: " before the message: the problem's own severity would double it.
    const { path: where, message } = first;
    throw CliError.invalid(`${location(file.name, first)}: ${where ? `${where}: ` : ''}${message}${more}`);
  }
  return file;
}

/** Parses a stored document for display; the server has validated it, so failure is unexpected. */
export function parseDocument(text: string): unknown {
  return parseYaml(text) as unknown;
}
