import { ActionStatus, AgentStatus, type Mode, type RiskLevel } from '../shared/enums.js';
import { grantable, type GrantLimits } from './scope.js';

// What the web app may offer on a request (DESIGN §12 "approve and allow similar"): the
// same rule the server applies to a grant made with `decide`, worked out before the
// approver asks, so the app hides what would be refused and bounds the ttl it offers.

export interface GrantOfferView {
  allowed: boolean;
  /** Why not, in words ("its policy allows no grants"); null when allowed. */
  reason: string | null;
  /** The policy's grants.maxTtl in seconds; null when its policy allows no grants at all. */
  maxTtl: number | null;
}

/** Whether deciding `action` with a grant may make one now, and for how long at most. */
export function grantOffer(
  action: { status: ActionStatus; mode: Mode; level: RiskLevel; requiredApprovals: number },
  agentStatus: AgentStatus | null,
  limits: GrantLimits | null,
): GrantOfferView {
  const maxTtl = limits?.allowed ? limits.maxTtl : null;
  if (action.status !== ActionStatus.PENDING) return { allowed: false, reason: 'it is no longer pending', maxTtl };
  const verdict = grantable({ mode: action.mode, level: action.level, requiredApprovals: action.requiredApprovals, suspended: agentStatus === AgentStatus.SUSPENDED }, limits);
  return verdict.covered ? { allowed: true, reason: null, maxTtl } : { allowed: false, reason: verdict.reason, maxTtl };
}
