import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseDuration, type CompiledGovernance } from '@countersign/governance';
import { ActionStatus, PrincipalKind, Verdict, type RiskLevel } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { validText } from '../shared/validate.js';
import type { AuditEntry } from '../audit/audit.service.js';
import type { SqlExecutor } from '../db/sql.js';
import type { ActionRow } from '../actions/action.view.js';
import { payloadHash } from '../receipts/receipt.js';
import type { Services } from '../services.js';
import type { DecisionGrantInput } from './grant.inputs.js';
import { grantLimitsOf, levelWithin } from './scope.js';
import { grantCreatedEvent, validCeiling, validMaxUses } from './grants.service.js';

// A grant from a decision (DESIGN §12): `decide` with APPROVE and `grant` approves the
// request and lets later requests of the same agent and type through within the scope
// asked for. The decider is an assignee deciding this very request (decide checks it),
// so they could approve such requests; the policy's `grants` limits bound the rest.

/** What was checked before the decision's transaction, for {@link grantFromDecision}. */
export interface DecisionGrantPlan {
  ttlSeconds: number;
  maxUses: number | null;
  maxAmount: number | null;
  sameDestination: boolean;
  sameArguments: boolean;
  reason: string | null;
  /** The governance in force: its policy's `grants` block bounds the grant. */
  compiled: CompiledGovernance | null;
}

/**
 * Validates what does not depend on the request (before the transaction: in embedded mode
 * it would hold the only connection), and reads the governance in force.
 *
 * @throws BAD_USER_INPUT naming the field.
 */
export async function planDecisionGrant(em: EntityManager, services: Services, verdict: Verdict, input: DecisionGrantInput): Promise<DecisionGrantPlan> {
  if (verdict !== Verdict.APPROVE) throw AppError.badInput('grant goes with APPROVE only.', 'grant');
  let ttlSeconds: number;
  try {
    ttlSeconds = parseDuration(/^\d+$/.test(input.ttl.trim()) ? Number(input.ttl.trim()) : input.ttl);
  } catch (error) {
    throw AppError.badInput(`grant.ttl: ${error instanceof Error ? error.message : String(error)}.`, 'grant.ttl');
  }
  const maxAmount = input.maxAmount === null || input.maxAmount === undefined ? null : validCeiling(input.maxAmount, 'USD', 'grant.maxAmount').value;
  return {
    ttlSeconds,
    maxUses: validMaxUses(input.maxUses, 'grant.maxUses'),
    maxAmount,
    sameDestination: input.sameDestination ?? false,
    sameArguments: input.sameArguments ?? false,
    reason: validText(input.reason, 'grant.reason', 2000),
    compiled: (await services.governance.current(em))?.compiled ?? null,
  };
}

/**
 * In the decision's transaction, once its outcome is known: stores the grant the approver
 * asked for, scoped to the request's agent and type (its amount's currency, its
 * destination, its approved arguments as asked), and returns its audit event. Throws —
 * undoing the decision, which the approver may then give without a grant — when the
 * request does not end APPROVED by this vote, needs more than one approval, or the
 * policy's `grants` limits forbid it.
 */
export async function grantFromDecision(
  sql: SqlExecutor,
  plan: DecisionGrantPlan,
  decided: { action: ActionRow; approverId: string; approverName: string; approvedPayload: unknown; now: Date },
): Promise<AuditEntry> {
  const { action, now } = decided;
  if (action.required_approvals > 1) {
    throw AppError.badInput(`Request ${action.id} needs ${action.required_approvals} approvals: a grant never stands in for more than one.`, 'grant');
  }
  if (action.status !== ActionStatus.APPROVED) {
    throw AppError.badInput(`Request ${action.id} ends ${action.status}, not APPROVED, with this vote: a grant goes with an approval.`, 'grant');
  }
  const limits = grantLimitsOf(plan.compiled, action.policy);
  if (!limits?.allowed) {
    throw AppError.badInput(`Policy ${action.policy ?? '(none: defaults)'} allows no grants (its \`grants\` block must say allowed: true).`, 'grant');
  }
  if (plan.ttlSeconds > limits.maxTtl) {
    throw AppError.badInput(`grant.ttl is ${plan.ttlSeconds} seconds; policy ${action.policy} allows at most ${limits.maxTtl} (grants.maxTtl).`, 'grant.ttl');
  }
  if (!levelWithin(action.risk_level as RiskLevel, limits.maxLevel)) {
    throw AppError.badInput(`Request ${action.id} is ${action.risk_level}; policy ${action.policy} grants up to ${limits.maxLevel} (grants.maxLevel), and CRITICAL never.`, 'grant');
  }
  if (plan.maxAmount !== null && (action.amount_value === null || action.amount_currency === null)) {
    throw AppError.badInput(`grant.maxAmount is in the currency of the request, and request ${action.id} has no amount.`, 'grant.maxAmount');
  }
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + plan.ttlSeconds * 1000);
  const destination = plan.sameDestination && action.destination_external !== null ? { system: action.destination_system, external: action.destination_external } : null;
  const hash = plan.sameArguments ? payloadHash(decided.approvedPayload) : null;
  const maxAmount = plan.maxAmount === null ? null : { value: plan.maxAmount, currency: action.amount_currency! };
  await sql.execute(
    `insert into "standing_grant" ("id", "agent_id", "action_type", "when", "max_amount_value", "max_amount_currency", "same_destination", "destination_system", "destination_external",
       "payload_hash", "max_uses", "uses", "expires_at", "revoked_at", "revoked_by", "granted_by_kind", "granted_by_approver_id", "granted_by_admin_id", "granted_by_name", "reason", "from_action_id", "created_at")
     values (?, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, 0, ?, null, null, ?, ?, null, ?, ?, ?, ?)`,
    [
      id, action.agent_id, action.type, maxAmount?.value ?? null, maxAmount?.currency ?? null, plan.sameDestination, destination?.system ?? null, destination?.external ?? null,
      hash, plan.maxUses, expiresAt, PrincipalKind.APPROVER, decided.approverId, decided.approverName, plan.reason, action.id, now,
    ],
  );
  return grantCreatedEvent(id, { kind: PrincipalKind.APPROVER, id: decided.approverId }, now, {
    agentId: action.agent_id, actionType: action.type, when: null, maxAmount, destination, sameDestination: plan.sameDestination, sameArguments: plan.sameArguments,
    payloadHash: hash, maxUses: plan.maxUses, expiresAt, reason: plan.reason, fromAction: action.id,
  });
}
