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
  DEFAULT_RISK_MODEL,
  compileGovernance,
  defaultModeFor,
  formatGovernanceIssue,
  inEvaluationOrder,
  parseGovernance,
  type ApproverSelector,
  type CompiledAdjustment,
  type CompiledGovernance,
  type CompiledPolicy,
  type CompiledRoute,
  type Consequences,
  type EscalationChain,
  type EscalationLevel,
  type GovernanceDocument,
  type GovernanceIssue,
  type ParseGovernanceResult,
  type Policy,
  type PolicyAdjustment,
  type RiskModel,
  type Route,
} from './document.js';
export { diffGovernance, type GovernanceChange, type GovernanceChangeKind } from './diff.js';
export { parseDuration } from './duration.js';
export { EXAMPLE_GOVERNANCE_YAML } from './examples.js';
export { lintGovernance, type ApproverDirectory, type DirectoryApprover } from './lint.js';
export { decidePolicy, type PolicyDecision } from './policy.js';
