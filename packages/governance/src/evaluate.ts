import { Mode } from './enums.js';
import { assessRisk, type BehaviourSignals, type RiskAssessment } from './risk/assess.js';
import { DEFAULT_RISK_MODEL } from './risk/model.js';
import { matchRoute } from './routing/route.js';
import { toCelVars, type SubmittedAction } from './cel.js';
import { decidePolicy, type PolicyDecision } from './policy.js';
import type { CompiledGovernance } from './document.js';

/** How governance handles one request: the steps of `submitAction` that decide, without its effects. */
export interface GovernanceEvaluation {
  risk: RiskAssessment;
  policy: PolicyDecision;
  /** The route taken when the mode needs a human; null when none matched or none was needed. */
  route: { name: string; chain: string } | null;
  /** True for ASYNC_REVIEW and SYNC_APPROVAL: the request goes to people and must be routed. */
  needsRoute: boolean;
  /** Conditions that failed to evaluate and so counted as false (policy and route). */
  notes: string[];
}

/**
 * Assesses, applies the policy and routes one request as `submitAction` does and as simulations replay it:
 * the risk from the input and the behaviour signals, the policy over the assessed risk,
 * and the route over the level after the policy's adjustments, only for the modes that
 * need a human.
 */
export function evaluateGovernance(
  compiled: CompiledGovernance | null,
  input: SubmittedAction,
  agent: { readonly name: string; readonly tags: readonly string[] },
  behaviour: BehaviourSignals,
): GovernanceEvaluation {
  const risk = assessRisk(compiled?.riskModel ?? DEFAULT_RISK_MODEL, input, behaviour);
  const policy = decidePolicy(compiled, toCelVars(input, agent, risk), risk.level);
  const needsRoute = policy.mode === Mode.ASYNC_REVIEW || policy.mode === Mode.SYNC_APPROVAL;
  const routed = needsRoute ? matchRoute(compiled, toCelVars(input, agent, { score: risk.score, level: policy.level })) : { route: null, notes: [] };
  return {
    risk,
    policy,
    route: routed.route ? { name: routed.route.name, chain: routed.route.chain } : null,
    needsRoute,
    notes: [...policy.notes, ...routed.notes],
  };
}
