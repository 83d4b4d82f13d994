import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { payloadHash } from '@countersign/sdk';

/**
 * The lock pins every upstream tool's definition (tool poisoning: a server that changes a
 * tool's description or schema after it was reviewed can steer the model). With a lock in
 * place, only tools whose definition hashes to what was locked are exposed.
 */

/** The fields of a tool's definition the lock covers: everything a model reads or the gateway maps. */
export interface ToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

export interface LockFile {
  version: 1;
  /** `<server>__<tool>` → `sha256:<base64url>` of the definition's canonical JSON. */
  tools: Record<string, string>;
}

export const LOCK_FILE_NAME = 'gateway.lock';

/** `gateway.lock` beside the config file. */
export function lockPathFor(configFile: string): string {
  return path.join(path.dirname(path.resolve(configFile)), LOCK_FILE_NAME);
}

/** The hash of a tool's definition: RFC 8785 canonical JSON, so key order does not matter. */
export function fingerprint(tool: ToolDefinition): string {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return `sha256:${payloadHash({ name, title: title ?? null, description: description ?? null, inputSchema: inputSchema ?? null, outputSchema: outputSchema ?? null, annotations: annotations ?? null })}`;
}

export function buildLock(tools: Iterable<{ exposedName: string; definition: ToolDefinition }>): LockFile {
  const entries = [...tools].map(({ exposedName, definition }) => [exposedName, fingerprint(definition)] as const);
  entries.sort(([a], [b]) => a.localeCompare(b));
  return { version: 1, tools: Object.fromEntries(entries) };
}

export function readLock(file: string): LockFile | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not a gateway lock (${(error as Error).message}); delete it or run "countersign-mcp lock" again`);
  }
  const lock = parsed as Partial<LockFile>;
  if (lock?.version !== 1 || typeof lock.tools !== 'object' || lock.tools === null || Object.values(lock.tools).some((hash) => typeof hash !== 'string')) {
    throw new Error(`${file}: not a version 1 gateway lock; run "countersign-mcp lock" again`);
  }
  return lock as LockFile;
}

export function writeLock(file: string, lock: LockFile): void {
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}

export interface LockVerdict {
  /** The tools that may be exposed. */
  allowed: Set<string>;
  /** The tools held back, and why. */
  held: { name: string; why: 'new' | 'changed' }[];
}

/** Which tools a lock lets through; with no lock, all of them. */
export function checkLock(lock: LockFile | undefined, tools: Iterable<{ exposedName: string; definition: ToolDefinition }>): LockVerdict {
  const allowed = new Set<string>();
  const held: LockVerdict['held'] = [];
  for (const { exposedName, definition } of tools) {
    if (!lock) {
      allowed.add(exposedName);
      continue;
    }
    const locked = lock.tools[exposedName];
    if (locked === undefined) held.push({ name: exposedName, why: 'new' });
    else if (locked !== fingerprint(definition)) held.push({ name: exposedName, why: 'changed' });
    else allowed.add(exposedName);
  }
  return { allowed, held };
}

/** The warning for a held tool: what happened and how to accept it. */
export function heldToolWarning(held: LockVerdict['held'][number], lockFile: string, configFile: string): string {
  const what = held.why === 'new' ? 'is new since' : 'has a definition (description, schema or annotations) that differs from';
  return `countersign-mcp: tool ${held.name} ${what} ${lockFile}; it is not exposed. Review it, then accept it with: countersign-mcp lock --config ${configFile}`;
}
