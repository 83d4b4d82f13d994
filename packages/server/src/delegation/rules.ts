import type { SqlExecutor } from '../db/sql.js';
import type { DelegationRule } from './resolve.js';

// The delegation lock and the rules in force: what anyone assigning approvers needs from
// delegation, kept apart from its services so escalation can depend on it one way.

/**
 * Every change to who stands in for whom takes this transaction-scoped advisory lock, on
 * every instance. Re-resolving pending requests reads all delegations and then rewrites
 * assignments; two changes interleaved would each miss the other's delegation and the
 * later writer would undo the earlier one's effect. One at a time, each sees the last.
 */
const DELEGATION_LOCK_KEY = 0x43_53_44_47; // "CSDG"

/** Taken (exclusive) by every change to delegations; see {@link DELEGATION_LOCK_KEY}. */
export async function lockDelegations(tx: SqlExecutor): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(?::bigint)', [DELEGATION_LOCK_KEY]);
}

/**
 * Taken (shared) by anyone who assigns approvers from the delegations in force, before it
 * reads them: an assignment in flight then either sees a delegation change or waits for it
 * to commit, so no request is handed to someone whose delegation just started. Take it
 * before locking any request row (changes lock rows while holding the exclusive lock).
 */
export async function shareDelegationLock(tx: SqlExecutor): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock_shared(?::bigint)', [DELEGATION_LOCK_KEY]);
}

/**
 * Delegations not revoked whose window has not ended (the level logic checks each window),
 * read under the shared delegation lock (see {@link shareDelegationLock}).
 */
export async function loadDelegationRules(em: SqlExecutor, at: Date): Promise<DelegationRule[]> {
  await shareDelegationLock(em);
  return readDelegationRules(em, at);
}

const RULE_COLUMNS = '"id", "from_id", "to_id", "starts_at", "ends_at", "roles", "action_types", "revoked_at"';
const IN_FORCE = '"revoked_at" is null and ("ends_at" is null or "ends_at" > ?)';

/** {@link loadDelegationRules} for a caller that already holds the delegation lock. */
export async function readDelegationRules(em: SqlExecutor, at: Date): Promise<DelegationRule[]> {
  const rows = await em.execute<RuleRow[]>(`select ${RULE_COLUMNS} from "delegation" where ${IN_FORCE}`, [at]);
  return rows.map(toRule);
}

/**
 * The delegations in force as one JSON array, an expression with one parameter (the
 * moment): for a statement that reads them along with something else, in one round trip.
 * Parse its value with {@link delegationRulesOfJson}.
 */
export const DELEGATION_RULES_JSON_SQL = `(select coalesce(json_agg(json_build_object(${RULE_COLUMNS.split(', ').map((c) => `'${c.slice(1, -1)}', ${c}`).join(', ')})), '[]'::json)
   from "delegation" where ${IN_FORCE})`;

/** The value of {@link DELEGATION_RULES_JSON_SQL}, as rules. */
export function delegationRulesOfJson(json: unknown): DelegationRule[] {
  return (json as RuleRow[]).map(toRule);
}

interface RuleRow {
  id: string; from_id: string; to_id: string; starts_at: Date | string; ends_at: Date | string | null; roles: string[] | null; action_types: string[] | null; revoked_at: Date | string | null;
}

function toRule(d: RuleRow): DelegationRule {
  return {
    id: d.id,
    fromApproverId: d.from_id,
    toApproverId: d.to_id,
    startsAt: new Date(d.starts_at),
    endsAt: d.ends_at === null ? null : new Date(d.ends_at),
    roles: d.roles,
    actionTypes: d.action_types,
    revokedAt: d.revoked_at === null ? null : new Date(d.revoked_at),
  };
}
