import { AppError } from '../errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Names of agents, approvers and roles: short, unambiguous in CEL and on a command line. */
export function validName(value: string, field: string): string {
  const name = value.trim();
  if (!NAME.test(name)) {
    throw AppError.badInput(`${field} "${value}" is not valid: use 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit.`, field);
  }
  return name;
}

export function validNames(values: readonly string[] | null | undefined, field: string): string[] {
  return [...new Set((values ?? []).map((v, i) => validName(v, `${field}[${i}]`)))];
}

export function validEmail(value: string | null | undefined, field = 'email'): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const email = value.trim();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw AppError.badInput(`${field} "${value}" is not an email address.`, field);
  return email;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot exist, so say NOT_FOUND without asking the database. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Optional free text, trimmed, bounded. */
export function validText(value: string | null | undefined, field: string, max = 10_000): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text.length > max) throw AppError.badInput(`${field} is longer than ${max} characters.`, field);
  return text === '' ? null : text;
}

/** True for PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { code?: string }).code === '23505' || error.constructor?.name === 'UniqueConstraintViolationException');
}
