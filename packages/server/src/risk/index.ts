export { DEFAULT_RISK_MODEL, type AmountBand, type BehaviourPoints, type LevelThresholds, type RiskModel } from './model.js';
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
} from './assess.js';
