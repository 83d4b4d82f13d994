import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../errors.js';
import { readAll, type Io } from '../runtime.js';

/** Reads `-f <file>`, where `-` means stdin (as kubectl and terraform read it). */
export async function readInputFile(io: Io, path: string): Promise<{ name: string; text: string }> {
  if (path === '-') return { name: '<stdin>', text: await readAll(io.stdin) };
  try {
    return { name: path, text: await readFile(resolve(io.cwd, path), 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw CliError.usage(`No such file: ${path}.`);
    if (code === 'EISDIR') throw CliError.usage(`${path} is a directory, not a file.`);
    throw CliError.usage(`Cannot read ${path}: ${(error as Error).message}.`);
  }
}

/**
 * Reads a JSON value given on the command line (`--payload '{"amount": 10}'`), from a
 * file (`--payload changes.json`, JSON or YAML), or from stdin (`--payload -`).
 */
export async function readJsonArgument(io: Io, value: string, option: string): Promise<unknown> {
  const inline = /^\s*[[{"]/.test(value) || /^\s*(?:-?\d|true\b|false\b|null\b)/.test(value);
  if (inline) {
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw CliError.invalid(`${option} is not valid JSON: ${(error as Error).message}.`);
    }
  }
  const { name, text } = await readInputFile(io, value);
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw CliError.invalid(`${name} (${option}) is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}
