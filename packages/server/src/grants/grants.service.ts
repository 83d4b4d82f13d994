import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConditionError, compileCondition, type CompiledGovernance } from '@countersign/governance';
import { PrincipalKind, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUuid, validText } from '../shared/validate.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import { decodeCursor, encodeCursor, pageSize, toConnection, type ConnectionShape } from '../db/paging.js';
import type { SqlExecutor } from '../db/sql.js';
import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { validActionTypePattern } from '../delegation/validation.js';
import { loadDelegationRules } from '../delegation/rules.js';
import type { Services } from '../services.js';
import { Grant } from './grant.entity.js';
import type { CreateGrantInput, GrantFilter } from './grant.inputs.js';
import { couldApprove } from './authority.js';

// Grants as code or by an admin (DESIGN §12): creating, revoking and listing them. Grants
// from a decision are made in the decision's transaction (grants/from-decision.ts); their
// use is counted by the submission's (grants/at-submission.ts).

/** How many uses one grant may allow at most. */
export const MAX_GRANT_USES = 1_000_000;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The longest `grants.maxTtl` (seconds) of the policies that allow grants; null when none does. */
export function longestTtl(compiled: CompiledGovernance | null): number | null {
  const ttls = (compiled?.policies ?? []).filter((p) => p.grants?.allowed).map((p) => p.grants!.maxTtl);
  return ttls.length === 0 ? null : Math.max(...ttls);
}

/** A valid maxUses (null: unbounded until it expires). */
export function validMaxUses(value: number | null | undefined, field = 'maxUses'): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_GRANT_USES) throw AppError.badInput(`${field} must be a whole number from 1 to ${MAX_GRANT_USES}.`, field);
  return value;
}

/** A valid amount ceiling. */
export function validCeiling(value: number, currency: string, field = 'maxAmount'): { value: number; currency: string } {
  if (!Number.isFinite(value) || value < 0) throw AppError.badInput(`${field}.value must be a non-negative number, not ${value}.`, `${field}.value`);
  const code = currency.trim().toUpperCase();
  if (!CURRENCIES.has(code)) throw AppError.badInput(`${field}.currency "${currency}" is not an ISO 4217 currency code (e.g. USD, EUR).`, `${field}.currency`);
  return { value, currency: code };
}

/**
 * Creates a grant (createGrant). Admins may grant anything the policies allow; an approver
 * only what they could approve (grants/authority.ts) and never for an agent they own. The
 * expiry must fall within the longest `grants.maxTtl` of the policies in force (each use
 * is checked again against the policy of the request it covers).
 *
 * @throws BAD_USER_INPUT naming the field, with the reason; FORBIDDEN when an approver
 *   asks for more than they could approve; NOT_FOUND for an unknown agent.
 */
export async function createGrant(em: EntityManager, services: Services, by: Principal, input: CreateGrantInput): Promise<Grant> {
  if (by.kind === PrincipalKind.AGENT) throw AppError.forbidden('Agents cannot grant themselves anything.');
  const now = new Date();
  const actionType = validActionTypePattern(input.actionType, 'actionType');
  if (actionType === '*') throw AppError.badInput('actionType "*" would cover every action: name a type ("payments.transfer") or a prefix ("payments.*").', 'actionType');
  const when = validText(input.when, 'when', 4000);
  if (when !== null) {
    try {
      compileCondition(when);
    } catch (error) {
      if (error instanceof ConditionError) throw AppError.badInput(`when: ${error.message}`, 'when');
      throw error;
    }
  }
  const maxAmount = input.maxAmount ? validCeiling(input.maxAmount.value, input.maxAmount.currency) : null;
  const destination = input.destination ? { system: validText(input.destination.system, 'destination.system', 200), external: input.destination.external } : null;
  if (destination && destination.system === null) throw AppError.badInput('destination.system is required and cannot be blank.', 'destination.system');
  const maxUses = validMaxUses(input.maxUses);
  const reason = validText(input.reason, 'reason', 2000);
  if (!isUuid(input.agentId)) throw AppError.notFound('Agent', input.agentId);
  const agent = await em.findOne(Agent, { id: input.agentId });
  if (!agent) throw AppError.notFound('Agent', input.agentId);

  const governance = await services.governance.current(em);
  const longest = longestTtl(governance?.compiled ?? null);
  if (longest === null) throw AppError.badInput('No policy in force allows grants (add `grants: { allowed: true }` to a policy).', 'actionType');
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + longest * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw AppError.badInput('expiresAt must be in the future.', 'expiresAt');
  if (expiresAt.getTime() - now.getTime() > longest * 1000) {
    throw AppError.badInput(`expiresAt is more than ${longest} seconds away, the longest grants.maxTtl of the policies in force.`, 'expiresAt');
  }

  let approver: Approver | null = null;
  if (by.kind === PrincipalKind.APPROVER) {
    if (agent.owner?.id === by.id) throw AppError.forbidden(`You own agent ${agent.name}, so you cannot approve its requests, nor grant them (separation of duties).`);
    approver = await em.findOneOrFail(Approver, { id: by.id });
    const directory = await services.directory.at(services.sql, null);
    const rules = await loadDelegationRules(services.sql, now);
    const verdict = couldApprove(governance?.compiled ?? null, by.id, { agent: { name: agent.name, tags: agent.tags }, actionType, amount: maxAmount, destination: destination as { system: string; external: boolean } | null }, {
      at: now, ownerId: agent.owner?.id ?? null, directory: directory.approvers, rules,
    });
    if (!verdict.ok) throw AppError.forbidden(`You may grant only what you could approve: ${verdict.reason}.`);
  }

  return em.transactional(async (tx) => {
    const grant = tx.create(Grant, {
      agent: tx.getReference(Agent, agent.id),
      actionType, when,
      maxAmountValue: maxAmount?.value ?? null, maxAmountCurrency: maxAmount?.currency ?? null,
      sameDestination: destination !== null, destinationSystem: destination?.system ?? null, destinationExternal: destination?.external ?? null,
      payloadHash: null, maxUses, uses: 0, expiresAt, revokedAt: null, revokedBy: null,
      grantedByKind: by.kind, grantedByApprover: approver, grantedByAdminId: by.kind === PrincipalKind.ADMIN ? by.id : null, grantedByName: by.name,
      reason, fromAction: null, createdAt: now,
    });
    tx.persist(grant);
    await tx.flush();
    await appendAudit(tx, [grantCreatedEvent(grant.id, by, now, {
      agentId: agent.id, actionType, when, maxAmount, destination, sameArguments: false, maxUses, expiresAt, reason, fromAction: null,
    })]);
    return grant;
  }).finally(() => services.grants.forget(agent.id));
}

/** The GRANT_CREATED audit event: the grant's whole scope, so the chain alone tells what was allowed. */
export function grantCreatedEvent(grantId: string, by: Principal | { kind: PrincipalKind; id: string | null }, at: Date, scope: Record<string, unknown>): AuditEntry {
  return { kind: 'GRANT_CREATED', subjectType: 'GRANT', subjectId: grantId, actorType: by.kind, actorId: by.id, at, data: scope };
}

/**
 * Revokes a grant now: its granter or an admin. A revoked grant lets nothing through from
 * the moment this commits (the use count re-checks `revoked_at` in the submission's own
 * statement).
 *
 * @throws NOT_FOUND for an unknown grant; FORBIDDEN for an approver who did not grant it;
 *   CONFLICT when it is already revoked.
 */
export async function revokeGrant(em: EntityManager, services: Services, by: Principal, id: string): Promise<Grant> {
  if (!isUuid(id)) throw AppError.notFound('Grant', id);
  const grant = await em.transactional(async (tx) => {
    const grant = await tx.findOne(Grant, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!grant) throw AppError.notFound('Grant', id);
    if (!mayRevoke(by, grant)) throw AppError.forbidden(`Only whoever granted ${id} (${grant.grantedByName}) or an admin may revoke it.`);
    if (grant.revokedAt !== null) throw AppError.conflict(`Grant ${id} was already revoked at ${grant.revokedAt.toISOString()}.`, { revokedAt: grant.revokedAt.toISOString() });
    const now = new Date();
    grant.revokedAt = now;
    grant.revokedBy = `${by.kind}:${by.id ?? by.name}`;
    await tx.flush();
    await appendAudit(tx, [{ kind: 'GRANT_REVOKED', subjectType: 'GRANT', subjectId: id, ...actorRef(by), at: now, data: { uses: grant.uses } }]);
    return grant;
  });
  services.grants.forget(grant.agent.id);
  return grant;
}

function mayRevoke(by: Principal, grant: Grant): boolean {
  switch (by.kind) {
    case PrincipalKind.ADMIN:
      return true;
    case PrincipalKind.APPROVER:
      return grant.grantedByApprover?.id === by.id;
    case PrincipalKind.AGENT:
      return false;
    default:
      return assertNever(by);
  }
}

/**
 * Grants newest first: an approver sees those they granted, an admin every one (or one
 * approver's with `grantedBy`). `active` tells live ones (not expired, used up or revoked)
 * from the others.
 */
export async function listGrants(em: EntityManager, by: Principal, filter: GrantFilter | null | undefined, args: { first?: number | null; after?: string | null }): Promise<ConnectionShape<Grant>> {
  const limit = pageSize(args.first);
  const cursor = decodeCursor(args.after, 2);
  const where: string[] = [];
  const params: unknown[] = [];
  switch (by.kind) {
    case PrincipalKind.ADMIN:
      if (filter?.grantedBy) {
        if (!isUuid(filter.grantedBy)) return toConnection([], limit, 0, () => '');
        where.push('g."granted_by_approver_id" = ?');
        params.push(filter.grantedBy);
      }
      break;
    case PrincipalKind.APPROVER:
      where.push('g."granted_by_approver_id" = ?');
      params.push(by.id);
      break;
    case PrincipalKind.AGENT:
      throw AppError.forbidden('Agents cannot list grants.');
    default:
      assertNever(by);
  }
  if (filter?.agentId) {
    if (!isUuid(filter.agentId)) return toConnection([], limit, 0, () => '');
    where.push('g."agent_id" = ?');
    params.push(filter.agentId);
  }
  if (filter?.actionType) {
    where.push('g."action_type" = ?');
    params.push(filter.actionType);
  }
  if (filter?.active !== null && filter?.active !== undefined) {
    where.push(`${filter.active ? '' : 'not '}(${LIVE_SQL('g')})`);
    params.push(new Date());
  }
  const base = where.length > 0 ? where.join(' and ') : 'true';
  const seek = cursor ? ' and (g."created_at", g."id") < (?::timestamptz, ?::uuid)' : '';
  const [rows, [count]] = await Promise.all([
    em.execute<{ id: string }[]>(`select g."id" from "standing_grant" g where ${base}${seek} order by g."created_at" desc, g."id" desc limit ?`, [
      ...params, ...(cursor ? [String(cursor[0]), String(cursor[1])] : []), limit + 1,
    ]),
    em.execute<{ n: number }[]>(`select count(*)::int as "n" from "standing_grant" g where ${base}`, params),
  ]);
  const found = new Map((await em.find(Grant, { id: { $in: rows.map((r) => r.id) } })).map((g) => [g.id, g]));
  const nodes = rows.map((r) => found.get(r.id)!).filter(Boolean);
  return toConnection(nodes, limit, count?.n ?? 0, (g) => encodeCursor([g.createdAt.toISOString(), g.id]));
}

/** A live grant (over alias `g`, with one parameter: now): not revoked, not expired, not used up. */
export const LIVE_SQL = (g: string) => `${g}."revoked_at" is null and ${g}."expires_at" > ? and (${g}."max_uses" is null or ${g}."uses" < ${g}."max_uses")`;

/** The grants that let requests through, by request id (for `ActionRequest.grant`). */
export async function grantsOfActions(sql: SqlExecutor, actionIds: readonly string[]): Promise<Map<string, string>> {
  if (actionIds.length === 0) return new Map();
  const rows = await sql.execute<{ action_id: string; grant_id: string }[]>(
    `select "action_id", "grant_id" from "grant_use" where "action_id" in (${actionIds.map(() => '?').join(', ')})`,
    [...actionIds],
  );
  return new Map(rows.map((r) => [r.action_id, r.grant_id]));
}
