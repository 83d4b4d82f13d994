import type { SubmittedAction } from '@countersign/governance';
import { AppError } from '../errors.js';
import type { DataClassification, Operation } from '../shared/enums.js';
import type { ActionInput } from './action.inputs.js';
import { normalizeBreakGlass, type BreakGlassRequest } from '../break-glass/break-glass.rules.js';

/** The submitted fields after validation: trimmed, bounded, absent fields null. */
export interface NormalizedAction extends SubmittedAction {
  type: string;
  operation: Operation;
  summary: string;
  justification: string | null;
  expectedOutcome: string | null;
  resource: string | null;
  dataClassification: DataClassification | null;
  dataCategories: string[];
  recordCount: number | null;
  destination: { system: string; external: boolean } | null;
  amount: { value: number; currency: string } | null;
  payload: unknown;
  context: unknown;
  idempotencyKey: string | null;
  revisionOf: string | null;
  /** Break-glass asked for, with its justification (break-glass/); null when not. */
  breakGlass: BreakGlassRequest | null;
}

/** Dotted names: at least two segments of lower-case letters, digits, `_` or `-`. */
const ACTION_TYPE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;
const CATEGORY = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_CONTEXT_BYTES = 64 * 1024;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

function text(value: string | null | undefined, field: string, max: number, required = false): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') {
    if (required) throw AppError.badInput(`${field} is required and cannot be blank.`, field);
    return null;
  }
  if (trimmed.length > max) throw AppError.badInput(`${field} is longer than ${max} characters.`, field);
  return trimmed;
}

function boundedJson(value: unknown, field: string, maxBytes: number): unknown {
  if (value === undefined || value === null) return null;
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > maxBytes) throw AppError.badInput(`${field} is ${size} bytes; the limit is ${maxBytes}.`, field);
  return value;
}

/**
 * Validates an ActionInput field by field; the first problem is reported as
 * BAD_USER_INPUT with `extensions.field` naming the field.
 */
export function normalizeActionInput(input: ActionInput): NormalizedAction {
  const type = input.type.trim();
  if (!ACTION_TYPE.test(type) || type.length > 128) {
    throw AppError.badInput(`type "${input.type}" is not a dotted action type such as "payments.transfer" (lower case, at least two segments).`, 'type');
  }

  let amount: NormalizedAction['amount'] = null;
  if (input.amount) {
    const { value } = input.amount;
    if (!Number.isFinite(value) || value < 0) throw AppError.badInput(`amount.value must be a non-negative number, not ${value}.`, 'amount.value');
    const currency = input.amount.currency.trim().toUpperCase();
    if (!CURRENCIES.has(currency)) throw AppError.badInput(`amount.currency "${input.amount.currency}" is not an ISO 4217 currency code (e.g. USD, EUR).`, 'amount.currency');
    amount = { value, currency };
  }

  let destination: NormalizedAction['destination'] = null;
  if (input.destination) {
    const system = text(input.destination.system, 'destination.system', 200, true)!;
    destination = { system, external: input.destination.external };
  }

  if (input.recordCount !== null && input.recordCount !== undefined && input.recordCount < 0) {
    throw AppError.badInput('recordCount cannot be negative.', 'recordCount');
  }

  const dataCategories = [...new Set((input.dataCategories ?? []).map((c, i) => {
    const category = c.trim().toUpperCase();
    if (!CATEGORY.test(category)) throw AppError.badInput(`dataCategories[${i}] "${c}" is not a category name (letters, digits, _ or -).`, `dataCategories[${i}]`);
    return category;
  }))];

  return {
    type,
    operation: input.operation,
    summary: text(input.summary, 'summary', 500, true)!,
    justification: text(input.justification, 'justification', 10_000),
    expectedOutcome: text(input.expectedOutcome, 'expectedOutcome', 10_000),
    resource: text(input.resource, 'resource', 500),
    dataClassification: input.dataClassification ?? null,
    dataCategories,
    recordCount: input.recordCount ?? null,
    destination,
    amount,
    payload: boundedJson(input.payload, 'payload', MAX_PAYLOAD_BYTES),
    context: boundedJson(input.context, 'context', MAX_CONTEXT_BYTES),
    idempotencyKey: text(input.idempotencyKey, 'idempotencyKey', 200),
    revisionOf: input.revisionOf ?? null,
    breakGlass: normalizeBreakGlass(input.breakGlass),
  };
}
