import type { PolicyDecision } from '@countersign/governance';
import { LEVEL_ORDER, Mode, type RiskLevel } from '../shared/enums.js';

/** What a pending request requires now. */
export interface Requirements {
  level: RiskLevel;
  requiredApprovals: number;
}

/** How a request stands after its candidate payload was evaluated again. */
export type Reassessment =
  | { blocked: true; policy: string | null; reason: string; notes: string[] }
  | {
      blocked: false;
      level: RiskLevel;
      requiredApprovals: number;
      /** Sentences for the request's notes: what the evaluation found and what it changed. */
      notes: string[];
      /** What rose: empty when the modified payload changes nothing. */
      raised: { level?: { from: RiskLevel; to: RiskLevel }; requiredApprovals?: { from: number; to: number } };
    };

/**
 * Applies the evaluation of a modified payload (the policy decision of the governance
 * version that routed the request, over the request with that payload) to a pending
 * request. The modification can only make the request harder to approve: the level and
 * the approvals required rise to what the evaluation asks and never fall, and a BLOCK
 * ends it — an approver cannot turn a request into one the policy forbids. The mode stays
 * SYNC_APPROVAL otherwise (people are already deciding it).
 *
 * `by` names the approver in the sentences.
 */
export function reassess(current: Requirements, decision: Pick<PolicyDecision, 'policy' | 'level' | 'mode' | 'requiredApprovals' | 'adjustments' | 'notes'>, by: string): Reassessment {
  const header = `The payload ${by} approved was evaluated again`;
  const findings = [...decision.adjustments, ...decision.notes];
  if (decision.mode === Mode.BLOCK) {
    const reason = `${header}: policy ${decision.policy ?? '(default)'} blocks it.`;
    return { blocked: true, policy: decision.policy, reason, notes: [reason, ...findings] };
  }
  const raised: Extract<Reassessment, { blocked: false }>['raised'] = {};
  let level = current.level;
  if (LEVEL_ORDER.indexOf(decision.level) > LEVEL_ORDER.indexOf(level)) {
    raised.level = { from: level, to: decision.level };
    level = decision.level;
  }
  let requiredApprovals = current.requiredApprovals;
  if (decision.requiredApprovals > requiredApprovals) {
    raised.requiredApprovals = { from: requiredApprovals, to: decision.requiredApprovals };
    requiredApprovals = decision.requiredApprovals;
  }
  const effects = [
    raised.level && `the level rose from ${raised.level.from} to ${raised.level.to}`,
    raised.requiredApprovals && `${raised.requiredApprovals.to} approvals are now required (were ${raised.requiredApprovals.from})`,
  ].filter((e): e is string => typeof e === 'string');
  const summary = effects.length ? `${header}: ${effects.join(' and ')}.` : `${header}: it requires nothing more.`;
  return { blocked: false, level, requiredApprovals, notes: [summary, ...findings], raised };
}
