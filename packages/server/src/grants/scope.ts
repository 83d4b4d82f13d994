import { LEVEL_ORDER, Mode, RiskLevel, compileCondition, type CelVars, type CompiledCondition } from '@countersign/governance';
import { matchesActionType } from '../delegation/resolve.js';

// What a grant covers (DESIGN §12), as plain functions over plain data: the submission
// path (grants/at-submission.ts) asks them before its transaction, and counts the use
// inside it with the liveness re-checked by the same statement.

/** A grant's scope and life, as stored. */
export interface GrantTerms {
  id: string;
  agentId: string;
  /** Exact, or `prefix.*`. */
  actionType: string;
  when: string | null;
  maxAmount: { value: number; currency: string } | null;
  sameDestination: boolean;
  destination: { system: string | null; external: boolean } | null;
  payloadHash: string | null;
  maxUses: number | null;
  uses: number;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

/** A submitted request as a grant sees it. */
export interface GrantedRequest {
  agentId: string;
  type: string;
  amount: { value: number; currency: string } | null;
  destination: { system: string; external: boolean } | null;
  /** Of the submitted payload (receipts/receipt.ts `payloadHash`). */
  payloadHash: string;
  /** For `when`: the request's variables as a policy sees them. */
  vars: CelVars;
}

export type Coverage = { covered: true } | { covered: false; reason: string };

/** Whether a grant can let a request through at `now`: not revoked, not expired, not used up. */
export function isLive(g: Pick<GrantTerms, 'expiresAt' | 'revokedAt' | 'maxUses' | 'uses'>, now: Date): boolean {
  return g.revokedAt === null && g.expiresAt.getTime() > now.getTime() && (g.maxUses === null || g.uses < g.maxUses);
}

/**
 * Whether a live grant's scope covers a request, and if not the first reason why: the
 * agent, the action type (exact or prefix), the amount (at or under the ceiling, in the
 * ceiling's currency: a ceiling in USD covers no EUR, and no request without an amount),
 * the destination (exactly, when part of the scope), the very arguments (by hash), and
 * the condition (an error counts as false, as everywhere in governance).
 */
export function covers(grant: GrantTerms, request: GrantedRequest, now: Date, compile: (source: string) => CompiledCondition = compileCondition): Coverage {
  if (!isLive(grant, now)) return no(grant.revokedAt !== null ? 'it is revoked' : grant.expiresAt.getTime() <= now.getTime() ? 'it expired' : 'it is used up');
  if (grant.agentId !== request.agentId) return no('it is for another agent');
  if (!matchesActionType(grant.actionType, request.type)) return no(`it covers ${grant.actionType}, not ${request.type}`);
  if (grant.maxAmount) {
    if (!request.amount) return no('it has an amount ceiling and the request has no amount');
    if (request.amount.currency.toUpperCase() !== grant.maxAmount.currency.toUpperCase()) {
      return no(`its ceiling is in ${grant.maxAmount.currency}, the request in ${request.amount.currency}`);
    }
    if (request.amount.value > grant.maxAmount.value) return no(`the amount ${request.amount.value} is over its ceiling ${grant.maxAmount.value}`);
  }
  if (grant.sameDestination && !sameDestination(grant.destination, request.destination)) return no('the destination differs');
  if (grant.payloadHash !== null && grant.payloadHash !== request.payloadHash) return no('the arguments differ');
  if (grant.when !== null) {
    const result = compile(grant.when).evaluate(request.vars);
    if (!result.value) return no(result.error !== undefined ? `its condition failed to evaluate: ${result.error}` : 'its condition does not hold');
  }
  return { covered: true };
}

function sameDestination(a: GrantTerms['destination'], b: GrantedRequest['destination']): boolean {
  if (a === null || b === null) return a === null && b === null;
  return a.external === b.external && (a.system ?? null) === (b.system ?? null);
}

function no(reason: string): Coverage {
  return { covered: false, reason };
}

/** A policy's `grants` block (packages/governance), as the server applies it. */
export interface GrantLimits {
  allowed: boolean;
  /** Seconds a grant may last (expiry minus creation). */
  maxTtl: number;
  maxLevel: RiskLevel;
}

/** A request as judged at submission, for {@link grantable}. */
export interface Judged {
  mode: Mode;
  level: RiskLevel;
  requiredApprovals: number;
  suspended: boolean;
}

/**
 * Whether any grant may let this request through under its policy's limits: only a
 * SYNC_APPROVAL request (never BLOCK), of a non-suspended agent, needing one approval, at
 * or under the policy's `maxLevel` (CRITICAL never), under a policy that allows grants
 * (no policy, or one without a `grants` block, allows none).
 */
export function grantable(judged: Judged, limits: GrantLimits | null): Coverage {
  if (judged.suspended) return no('the agent is suspended');
  if (judged.mode !== Mode.SYNC_APPROVAL) return no(`its mode is ${judged.mode}`);
  if (!limits?.allowed) return no('its policy allows no grants');
  if (judged.requiredApprovals > 1) return no(`it needs ${judged.requiredApprovals} approvals`);
  if (!levelWithin(judged.level, limits.maxLevel)) return no(`its level ${judged.level} is above the policy's grants.maxLevel ${limits.maxLevel}`);
  return { covered: true };
}

/** Whether `level` is at or under `max`; CRITICAL is never within a grant's reach. */
export function levelWithin(level: RiskLevel, max: RiskLevel): boolean {
  return level !== RiskLevel.CRITICAL && LEVEL_ORDER.indexOf(level) <= LEVEL_ORDER.indexOf(max);
}

/** Whether a grant's lifetime fits the policy's `maxTtl` (checked again at use: the policy may have changed). */
export function lifetimeWithin(grant: Pick<GrantTerms, 'expiresAt' | 'createdAt'>, limits: GrantLimits): boolean {
  return grant.expiresAt.getTime() - grant.createdAt.getTime() <= limits.maxTtl * 1000;
}

/** The `grants` block of a policy of `compiled` (null: no such policy, or no block). */
export function grantLimitsOf(compiled: { readonly policies: readonly { readonly name: string; readonly grants?: GrantLimits }[] } | null, policy: string | null): GrantLimits | null {
  if (!compiled || policy === null) return null;
  return compiled.policies.find((p) => p.name === policy)?.grants ?? null;
}
