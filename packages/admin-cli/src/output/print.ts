import { stringify as toYaml } from 'yaml';
import type { Presenter, StreamPresenter } from '../command.js';
import { ExitCode } from '../errors.js';
import type { OutputStream } from '../runtime.js';
import { renderView } from './render.js';
import type { Terminal } from './terminal.js';

/** The output formats of `-o`; `--json` is `-o json`. */
export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

/** Reads `--json` / `-o` into one format; `--json` wins since it is the more explicit. */
export function formatOf(options: { readonly json?: boolean; readonly output?: Format }): Format {
  return options.json ? 'json' : (options.output ?? 'table');
}

/**
 * The one place where command results become output. Returns the exit code the data
 * implies, so a command that prints a failing verdict (`audit verify`) still exits non-zero.
 */
export function print<T>(data: T, presenter: Presenter<T>, format: Format, out: OutputStream, term: Terminal, now: Date): ExitCode {
  const exitCode = presenter.exitCode?.(data) ?? ExitCode.OK;
  const machine = () => (presenter.data ? presenter.data(data) : data);
  switch (format) {
    case 'json':
      out.write(`${JSON.stringify(machine(), null, 2)}\n`);
      break;
    case 'yaml':
      out.write(presenter.yaml ? presenter.yaml(data) : toYaml(machine()));
      break;
    case 'table':
      out.write(renderView(presenter.view(data, now), term));
      break;
  }
  return exitCode;
}

/**
 * Prints a stream as it arrives: JSON Lines for scripts (one object per line, so `jq`
 * and log shippers can follow it), a rendered line per item for people.
 */
export async function printStream<T>(
  items: AsyncIterable<T>,
  presenter: StreamPresenter<T>,
  format: Format | 'jsonl',
  out: OutputStream,
  term: Terminal,
  now: () => Date,
): Promise<ExitCode> {
  const machine = (item: T) => (presenter.data ? presenter.data(item) : item);
  if (format === 'json') {
    // A JSON array written item by item, so a large export never sits in memory.
    let first = true;
    out.write('[');
    for await (const item of items) {
      if (machine(item) === undefined) continue;
      out.write(`${first ? '\n' : ',\n'}${JSON.stringify(machine(item))}`);
      first = false;
    }
    out.write(first ? ']\n' : '\n]\n');
    return ExitCode.OK;
  }
  for await (const item of items) {
    // Headers and markers of a stream are for people: data() leaves them out of machine output.
    if (format !== 'table' && machine(item) === undefined) continue;
    if (format === 'jsonl') out.write(`${JSON.stringify(machine(item))}\n`);
    else if (format === 'yaml') out.write(`---\n${toYaml(machine(item))}`);
    else out.write(renderView(presenter.line(item, now()), term));
  }
  return ExitCode.OK;
}
