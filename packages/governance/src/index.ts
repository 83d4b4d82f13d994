/**
 * The governance rules of Countersign (DESIGN §3) as pure functions over plain data:
 * read and validate a document, compile its CEL conditions, score risk, decide the
 * policy and the route, lint a document against the approvers who exist, diff two
 * versions. The server runs them on every request; the CLI runs the same code offline.
 */
export { ChangeOp, DataClassification, LEVEL_ORDER, Mode, Operation, RiskLevel, assertNever } from './enums.js';
export {
  ConditionError,
  compileCondition,
  toCelAction,
  toCelVars,
  type CelAction,
  type CelAgent,
  type CelRisk,
  type CelVars,
  type CompiledCondition,
  type ConditionResult,
  type SubmittedAction,
} from './cel.js';
export {
  compileGovernance,
  defaultModeFor,
  formatGovernanceIssue,
  inEvaluationOrder,
  parseGovernance,
  type ApproverSelector,
  type BreakGlassPolicy,
  type CompiledAdjustment,
  type CompiledGovernance,
  type CompiledPolicy,
  type CompiledRoute,
  type Consequences,
  type EscalationChain,
  type EscalationLevel,
  type GovernanceDocument,
  type GovernanceIssue,
  type GrantsPolicy,
  type ParseGovernanceResult,
  type Policy,
  type PolicyAdjustment,
  type Route,
} from './document.js';
export { diffGovernance, type GovernanceChange, type GovernanceChangeKind } from './diff.js';
export { parseDuration } from './duration.js';
export { evaluateGovernance, type GovernanceEvaluation } from './evaluate.js';
export { EXAMPLE_GOVERNANCE_YAML } from './examples.js';
export { lintGovernance, type ApproverDirectory, type DirectoryAgent, type DirectoryApprover } from './lint.js';
export { decidePolicy, type PolicyDecision } from './policy.js';
export { DEFAULT_RISK_MODEL, type AmountBand, type BehaviourPoints, type LevelThresholds, type RiskModel } from './risk/model.js';
export {
  RATE_SPIKE_MIN_EXCESS,
  RATE_SPIKE_MULTIPLE,
  RECENT_DENIALS_MIN,
  UNUSUAL_AMOUNT_MIN_SAMPLES,
  UNUSUAL_AMOUNT_MULTIPLE,
  assessRisk,
  levelForScore,
  type BehaviourSignals,
  type RiskAssessment,
  type RiskDimension,
  type RiskFactor,
  type RiskInput,
} from './risk/assess.js';
export { matchRoute, selectRoute, type RouteSelection } from './routing/route.js';
