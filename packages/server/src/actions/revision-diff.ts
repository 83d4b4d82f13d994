import canonicalizeModule from 'canonicalize';
import type { ActionRequestType } from './action.types.js';

// canonicalize is CommonJS typed with an ESM `export default` (see receipts/receipt.ts).
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The submitted fields a revision is compared on (the free-form `context` is left out: it differs every time). */
export type RevisableFields = Pick<
  ActionRequestType,
  | 'type' | 'operation' | 'summary' | 'justification' | 'expectedOutcome' | 'resource' | 'dataClassification'
  | 'dataCategories' | 'recordCount' | 'destination' | 'amount' | 'payload'
>;

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export enum PayloadChangeKind {
  ADDED = 'ADDED',
  REMOVED = 'REMOVED',
  CHANGED = 'CHANGED',
}

export interface PayloadChange {
  /** Where in the payload: `amount`, `beneficiary.iban`, `lines[2].qty`; empty for the payload as a whole. */
  path: string;
  change: PayloadChangeKind;
  /** The value in the original (null when ADDED). */
  before: unknown;
  /** The value in the revision (null when REMOVED). */
  after: unknown;
}

export interface RevisionDiff {
  fields: FieldChange[];
  payload: PayloadChange[];
  /** True when the payload differs in more places than are listed. */
  payloadTruncated: boolean;
}

/** A payload edited everywhere is summarised by its first changes; the approver opens both payloads for the rest. */
export const MAX_PAYLOAD_CHANGES = 100;
/** Below this depth a changed subtree is reported whole rather than key by key. */
export const MAX_PAYLOAD_DEPTH = 8;

const FIELDS: readonly (keyof Omit<RevisableFields, 'payload'>)[] = [
  'type', 'operation', 'summary', 'justification', 'expectedOutcome', 'resource', 'dataClassification',
  'dataCategories', 'recordCount', 'destination', 'amount',
];

/**
 * What an agent changed when it resubmitted a request after changes were requested: each
 * submitted field that differs, and the payload compared key by key, so that an approver
 * sees at a glance whether the revision does what was asked.
 *
 * @example
 * diffRevision(original, revision).payload; // [{ path: 'amount', change: 'CHANGED', before: 25000, after: 9000 }]
 */
export function diffRevision(original: RevisableFields, revision: RevisableFields): RevisionDiff {
  const fields: FieldChange[] = [];
  for (const field of FIELDS) {
    const before = normalizeField(field, original[field]);
    const after = normalizeField(field, revision[field]);
    if (!sameJson(before, after)) fields.push({ field, before, after });
  }
  const payload: PayloadChange[] = [];
  const truncated = !diffJson(original.payload ?? null, revision.payload ?? null, '', 0, payload);
  return { fields, payload, payloadTruncated: truncated };
}

/** Deep equality of JSON values, independent of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalize(a ?? null) === canonicalize(b ?? null);
}

// Categories are a set: the order an agent lists them in means nothing.
function normalizeField(field: string, value: unknown): unknown {
  if (field === 'dataCategories' && Array.isArray(value)) return [...(value as string[])].sort();
  return value ?? null;
}

/** Appends the differences between two JSON values; returns false once the list is full. */
function diffJson(before: unknown, after: unknown, path: string, depth: number, out: PayloadChange[]): boolean {
  if (sameJson(before, after)) return true;
  const push = (change: PayloadChange): boolean => {
    if (out.length >= MAX_PAYLOAD_CHANGES) return false;
    out.push(change);
    return true;
  };
  if (depth < MAX_PAYLOAD_DEPTH && isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const child = joinKey(path, key);
      const ok = !(key in after)
        ? push({ path: child, change: PayloadChangeKind.REMOVED, before: before[key], after: null })
        : !(key in before)
          ? push({ path: child, change: PayloadChangeKind.ADDED, before: null, after: after[key] })
          : diffJson(before[key], after[key], child, depth + 1, out);
      if (!ok) return false;
    }
    return true;
  }
  if (depth < MAX_PAYLOAD_DEPTH && Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const child = `${path}[${i}]`;
      const ok = i >= after.length
        ? push({ path: child, change: PayloadChangeKind.REMOVED, before: before[i], after: null })
        : i >= before.length
          ? push({ path: child, change: PayloadChangeKind.ADDED, before: null, after: after[i] })
          : diffJson(before[i], after[i], child, depth + 1, out);
      if (!ok) return false;
    }
    return true;
  }
  return push({ path, change: PayloadChangeKind.CHANGED, before: before ?? null, after: after ?? null });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function joinKey(path: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}
