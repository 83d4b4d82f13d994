import { LEVEL_ORDER, Mode, RiskLevel, assertNever } from './enums.js';
import type { CelVars } from './cel.js';
import { defaultModeFor, type BreakGlassPolicy, type CompiledGovernance, type CompiledPolicy, type Consequences } from './document.js';

/** How a request is handled, and why: recorded on the request for approvers and auditors. */
export interface PolicyDecision {
  /** The policy that decided, or null when none matched (or no governance is applied yet). */
  policy: string | null;
  /** The assessed level after the policy's adjustments (never lower than assessed). */
  level: RiskLevel;
  mode: Mode;
  /** Distinct approvers needed; 1 unless an adjustment asks for more. */
  requiredApprovals: number;
  consequences: Consequences | null;
  /** The policy's break-glass rule; null (not allowed) when it has none or no policy matched. */
  breakGlass: BreakGlassPolicy | null;
  /** Conditions that failed to evaluate and so counted as false, e.g. `policy payments adjust[0].when: No such key: amount`. */
  notes: string[];
  /** One sentence per adjustment that applied, saying what it did. */
  adjustments: string[];
}

/**
 * Picks the policy for a request and applies it: the first policy whose `match` holds
 * (higher priority first, ties in document order) maps the level to a mode, after all of
 * its `adjust` rules that hold have run in order. A `level` adjustment only ever raises
 * the level; forced modes combine to the strictest (so BLOCK wins over anything);
 * `requiredApprovals` takes the highest asked for. With no governance or no matching
 * policy the DESIGN defaults apply. A condition that fails to evaluate counts as false
 * and is noted, never thrown: a request always gets a decision.
 *
 * @example
 * const decision = decidePolicy(compiled, toCelVars(input, agent, assessment), assessment.level);
 */
export function decidePolicy(compiled: CompiledGovernance | null, vars: CelVars, assessedLevel: RiskLevel): PolicyDecision {
  const notes: string[] = [];
  const policy = compiled ? firstMatchingPolicy(compiled.policies, vars, notes) : null;
  if (policy === null) {
    return { policy: null, level: assessedLevel, mode: defaultModeFor(assessedLevel), requiredApprovals: 1, consequences: null, breakGlass: null, notes, adjustments: [] };
  }

  let level = assessedLevel;
  let forcedMode: Mode | null = null;
  let requiredApprovals = 1;
  const adjustments: string[] = [];
  for (const rule of policy.adjust) {
    const result = rule.when.evaluate(vars);
    if (result.error !== undefined) notes.push(`policy ${policy.name} adjust[${rule.index}].when: ${result.error}`);
    if (!result.value) continue;

    const effects: string[] = [];
    if (rule.level !== undefined) {
      if (rank(rule.level) > rank(level)) {
        effects.push(`raised the level from ${level} to ${rule.level}`);
        level = rule.level;
      } else {
        effects.push(`kept the level at ${level} (it asks for ${rule.level}, and adjustments never lower a level)`);
      }
    }
    if (rule.mode !== undefined) {
      if (forcedMode === null || strictness(rule.mode) > strictness(forcedMode)) {
        effects.push(`forced the mode ${rule.mode}`);
        forcedMode = rule.mode;
      } else if (rule.mode !== forcedMode) {
        effects.push(`asked for the mode ${rule.mode}, but ${forcedMode} from an earlier rule is stricter`);
      }
    }
    if (rule.requiredApprovals !== undefined) {
      if (rule.requiredApprovals > requiredApprovals) {
        effects.push(`required ${rule.requiredApprovals} approvals`);
        requiredApprovals = rule.requiredApprovals;
      } else {
        effects.push(`asked for ${rule.requiredApprovals} approvals, but ${requiredApprovals} are already required`);
      }
    }
    adjustments.push(`Policy ${policy.name} adjust[${rule.index}] (${rule.when.source}) ${joinClauses(effects)}.`);
  }

  return {
    policy: policy.name,
    level,
    mode: forcedMode ?? policy.modes[level],
    requiredApprovals,
    consequences: policy.consequences ?? null,
    breakGlass: policy.breakGlass ?? null,
    notes,
    adjustments,
  };
}

function firstMatchingPolicy(policies: readonly CompiledPolicy[], vars: CelVars, notes: string[]): CompiledPolicy | null {
  for (const policy of policies) {
    const result = policy.match.evaluate(vars);
    if (result.error !== undefined) notes.push(`policy ${policy.name} match: ${result.error}`);
    if (result.value) return policy;
  }
  return null;
}

function rank(level: RiskLevel): number {
  return LEVEL_ORDER.indexOf(level);
}

/** How much human control a mode imposes; the stricter of two forced modes wins. */
function strictness(mode: Mode): number {
  switch (mode) {
    case Mode.AUTO:
      return 0;
    case Mode.ASYNC_REVIEW:
      return 1;
    case Mode.SYNC_APPROVAL:
      return 2;
    case Mode.BLOCK:
      return 3;
    default:
      return assertNever(mode);
  }
}

function joinClauses(clauses: readonly string[]): string {
  if (clauses.length <= 1) return clauses.join('');
  return `${clauses.slice(0, -1).join(', ')} and ${clauses.at(-1)}`;
}
