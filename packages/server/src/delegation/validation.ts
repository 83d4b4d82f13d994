import { AppError } from '../errors.js';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import type { Principal } from '../auth/principal.js';
import type { Delegation } from './delegation.entity.js';
import type { DelegationInput } from './delegation.inputs.js';

// Checking a delegation's input and who may see one: plain functions, each naming the
// field at fault (BAD_USER_INPUT) or refusing (FORBIDDEN).

/** Whose approvals are handed over: an approver's own; an admin names them. */
export function delegatorOf(by: Principal, input: DelegationInput): string {
  switch (by.kind) {
    case PrincipalKind.APPROVER:
      if (input.fromApproverId !== null && input.fromApproverId !== undefined && input.fromApproverId !== by.id) {
        throw AppError.forbidden('Approvers delegate their own approvals; only an admin may create a delegation for someone else.');
      }
      return by.id;
    case PrincipalKind.ADMIN:
      if (!input.fromApproverId) {
        throw AppError.badInput('fromApproverId is required when an admin creates a delegation: whose approvals are handed over?', 'fromApproverId');
      }
      return input.fromApproverId;
    case PrincipalKind.AGENT:
      throw AppError.forbidden('Agents cannot delegate.');
    default:
      return assertNever(by);
  }
}

export function canSee(by: Principal, delegation: Delegation): boolean {
  switch (by.kind) {
    case PrincipalKind.ADMIN:
      return true;
    case PrincipalKind.APPROVER:
      return delegation.from.id === by.id || delegation.to.id === by.id;
    case PrincipalKind.AGENT:
      return false;
    default:
      return assertNever(by);
  }
}

export function validWindow(input: DelegationInput, now: Date): { startsAt: Date; endsAt: Date | null } {
  const startsAt = input.startsAt ?? now;
  const endsAt = input.endsAt ?? null;
  if (endsAt !== null && endsAt <= startsAt) throw AppError.badInput('endsAt must be after startsAt.', 'endsAt');
  if (endsAt !== null && endsAt <= now) throw AppError.badInput('endsAt is in the past: the delegation would never apply.', 'endsAt');
  return { startsAt, endsAt };
}

/** A scope list: null or absent covers everything; an empty list is a mistake, not "nothing". */
export function validScope(values: readonly string[] | null | undefined, field: string, valid: (value: string, field: string) => string): string[] | null {
  if (values === null || values === undefined) return null;
  if (values.length === 0) throw AppError.badInput(`${field} is empty: omit it to cover everything, or list what the delegation covers.`, field);
  return [...new Set(values.map((value, i) => valid(value, `${field}[${i}]`)))];
}

/** An action type as submitted (`payments.transfer`), a prefix pattern (`payments.*`), or `*`. */
const ACTION_TYPE_PATTERN = /^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*\.\*|[a-z0-9_-]+(\.[a-z0-9_-]+)+)$/;

export function validActionTypePattern(value: string, field: string): string {
  const pattern = value.trim();
  if (pattern.length > 128 || !ACTION_TYPE_PATTERN.test(pattern)) {
    throw AppError.badInput(`${field} "${value}" is not an action type ("payments.transfer") or a prefix pattern ("payments.*").`, field);
  }
  return pattern;
}

/** Stored as `createdBy`: `APPROVER:<id>`, `ADMIN:<id>`, or `ADMIN:bootstrap` for the bootstrap token. */
export function createdByRef(by: Principal): string {
  return `${by.kind}:${by.id ?? by.name}`;
}
