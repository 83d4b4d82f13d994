import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

/** A config that cannot be used; `problems` are lines of the form `file:line:col: message`. */
export class ConfigError extends Error {
  static {
    this.prototype.name = 'ConfigError';
  }

  readonly problems: readonly string[];

  constructor(file: string, problems: string[]) {
    super(`${file} is not a valid gateway config:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}

/** A loaded config and where it came from (the lock file lives beside it). */
export interface LoadedConfig {
  file: string;
  config: GatewayConfig;
}

/** Reads and validates the gateway config at `file`; throws {@link ConfigError} listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`${file}: cannot read it: ${(error as Error).message}`]);
  }
  return { file: path.resolve(file), config: parseConfig(text, file, env) };
}

/**
 * Parses the YAML text of a gateway config, expands `${VAR}` in upstream `env` and
 * `headers`, and validates the whole. Every problem names `file:line:col`.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return `${file}`;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => `${where(error.pos[0])}: ${error.message.split('\n')[0]}`),
    );
  }

  const problems: string[] = [];
  expandEnvironment(doc, env, (offset, message) => problems.push(`${where(offset)}: ${message}`));
  const result = gatewayConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${where(offsetOf(doc, issue))}: ${describe(issue)}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return result.data;
}

/** Replaces `${VAR}` in every `servers.*.env.*` and `servers.*.headers.*` string, in place. */
function expandEnvironment(doc: Document, env: NodeJS.ProcessEnv, report: (offset: number | undefined, message: string) => void): void {
  const servers = doc.get('servers', true);
  if (!isMap(servers)) return;
  for (const server of servers.items) {
    if (!isMap(server.value)) continue;
    for (const section of ['env', 'headers']) {
      const values = server.value.get(section, true);
      if (!isMap(values)) continue;
      for (const pair of values.items) {
        const node = pair.value;
        if (!isScalar(node) || typeof node.value !== 'string') continue;
        node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
          const value = env[name];
          if (value === undefined) {
            report(node.range?.[0], `environment variable ${name} is not set (used in ${section})`);
            return '';
          }
          return value;
        });
      }
    }
  }
}

/** Where in the text an issue points: the offending key for unknown keys, else the value at its path (or the nearest parent). */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number | undefined {
  const segments = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  for (let length = segments.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(segments.slice(0, length), true);
    if (!node || typeof node !== 'object' || !('range' in node)) continue;
    if (length === segments.length && issue.code === 'unrecognized_keys' && isMap(node)) {
      const key = node.items.find((pair) => isScalar(pair.key) && issue.keys.includes(String(pair.key.value)));
      if (key && isScalar(key.key)) return key.key.range?.[0];
    }
    if (length === segments.length && issue.code === 'invalid_key' && length > 0 && isMap(doc.getIn(segments.slice(0, length - 1), true))) {
      const parent = doc.getIn(segments.slice(0, length - 1), true);
      if (isMap(parent)) {
        const key = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(segments[length - 1]));
        if (key && isScalar(key.key)) return key.key.range?.[0];
      }
    }
    return (node as { range?: [number, number, number] | null }).range?.[0];
  }
  return undefined;
}

function describe(issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${at}is required`;
  if (issue.code === 'invalid_key') return `${at}invalid name: ${issue.issues.map((inner) => inner.message).join('; ')}`;
  return `${at}${issue.message}`;
}
