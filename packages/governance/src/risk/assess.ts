import { Operation, RiskLevel, assertNever, type DataClassification } from '../enums.js';
import type { LevelThresholds, RiskModel } from './model.js';

/** The fields of a submitted action that risk depends on (absent ones may be null or undefined). */
export interface RiskInput {
  /** Dotted action type, e.g. `payments.transfer`; named in behaviour details. */
  readonly type: string;
  readonly operation: Operation;
  readonly dataClassification?: DataClassification | null;
  readonly dataCategories?: readonly string[] | null;
  readonly destination?: { readonly system: string; readonly external: boolean } | null;
  readonly amount?: { readonly value: number; readonly currency: string } | null;
}

/**
 * What the agent's own stored history says about this request. The server computes these
 * from its records; keeping them plain data lets a simulation replay a request exactly as
 * it was scored.
 */
export interface BehaviourSignals {
  /** True when the agent has never submitted an action of this type before. */
  readonly firstUseOfType: boolean;
  /** Requests the agent submitted in the last hour, this one included. */
  readonly requestsLastHour: number;
  /** The agent's usual requests per hour; null when its history is too short to tell. */
  readonly baselinePerHour: number | null;
  /** The agent's usual amounts for this action type; null when it has none. */
  readonly usualAmount: { readonly p50: number; readonly p95: number; readonly samples: number } | null;
  /** The agent's requests denied in the last 24 hours. */
  readonly recentDenials: number;
  /** The agent's requests flagged by a reviewer in the last 24 hours. */
  readonly recentFlags: number;
}

/** Named after the `riskModel` key that gives its points, so a factor can be traced to the document. */
export type RiskDimension =
  | 'operation'
  | 'classification'
  | 'externalDestination'
  | 'amount'
  | 'dataCategories'
  | 'newActionType'
  | 'rateSpike'
  | 'unusualAmount'
  | 'recentDenials';

/** One reason a request is risky, worded for the approver who has to decide it. */
export interface RiskFactor {
  dimension: RiskDimension;
  points: number;
  detail: string;
}

export interface RiskAssessment {
  /** Sum of the factors' points, clamped to 0–100. */
  score: number;
  level: RiskLevel;
  /** Every dimension that added points, in a fixed order; dimensions worth 0 are left out. */
  factors: RiskFactor[];
}

/** A rate spike needs more than this multiple of the agent's usual hourly rate... */
export const RATE_SPIKE_MULTIPLE = 3;
/** ...and at least this many requests above it, so a quiet agent sending 4 instead of 1 is not a spike. */
export const RATE_SPIKE_MIN_EXCESS = 10;
/** Percentiles of fewer amounts than this say too little about what is usual for the agent. */
export const UNUSUAL_AMOUNT_MIN_SAMPLES = 5;
/** An amount is unusual above this multiple of the agent's 95th percentile: far past its normal high, not just a big day. */
export const UNUSUAL_AMOUNT_MULTIPLE = 3;
/** One denial or flag is enough: a human has just said no to this agent, so its next requests deserve a closer look. */
export const RECENT_DENIALS_MIN = 1;

/**
 * Scores a request: each dimension of the model adds its points, plus the behaviour
 * signals from the agent's history. Every factor carries a sentence an approver can read,
 * so the score is never a bare number.
 *
 * @example
 * const { score, level, factors } = assessRisk(DEFAULT_RISK_MODEL, input, signals);
 */
export function assessRisk(model: RiskModel, action: RiskInput, behaviour: BehaviourSignals): RiskAssessment {
  const candidates = [
    operationFactor(model, action),
    classificationFactor(model, action),
    externalDestinationFactor(model, action),
    amountFactor(model, action),
    dataCategoriesFactor(model, action),
    newActionTypeFactor(model, action, behaviour),
    rateSpikeFactor(model, behaviour),
    unusualAmountFactor(model, action, behaviour),
    recentDenialsFactor(model, behaviour),
  ];
  const factors = candidates.filter((factor): factor is RiskFactor => factor !== null && factor.points > 0);
  const total = factors.reduce((sum, factor) => sum + factor.points, 0);
  const score = Math.min(100, Math.max(0, total));
  return { score, level: levelForScore(score, model.levels), factors };
}

/** The level a score falls in: each level starts at its threshold (a score of exactly HIGH is HIGH). */
export function levelForScore(score: number, levels: LevelThresholds): RiskLevel {
  if (score >= levels.CRITICAL) return RiskLevel.CRITICAL;
  if (score >= levels.HIGH) return RiskLevel.HIGH;
  if (score >= levels.MEDIUM) return RiskLevel.MEDIUM;
  return RiskLevel.LOW;
}

function operationFactor(model: RiskModel, action: RiskInput): RiskFactor {
  return { dimension: 'operation', points: model.operation[action.operation], detail: describeOperation(action.operation) };
}

function describeOperation(operation: Operation): string {
  switch (operation) {
    case Operation.READ:
      return 'Only reads data (READ).';
    case Operation.WRITE:
      return 'Creates or changes data (WRITE).';
    case Operation.DELETE:
      return 'Deletes data (DELETE).';
    case Operation.EXECUTE:
      return 'Runs an operation with side effects (EXECUTE).';
    default:
      return assertNever(operation);
  }
}

function classificationFactor(model: RiskModel, action: RiskInput): RiskFactor | null {
  const classification = action.dataClassification;
  if (!classification) return null;
  return {
    dimension: 'classification',
    points: model.classification[classification],
    detail: `Touches data classified ${classification}.`,
  };
}

function externalDestinationFactor(model: RiskModel, action: RiskInput): RiskFactor | null {
  const destination = action.destination;
  if (!destination?.external) return null;
  const where = destination.system ? ` (${destination.system})` : '';
  return {
    dimension: 'externalDestination',
    points: model.externalDestination,
    detail: `Sends data to an external system${where}.`,
  };
}

// Bands are not summed: an amount of 50,000 is "over 10,000", not "over 1,000 and over 10,000".
// The magnitude counts, so a large refund or reversal is as risky as a large payment.
function amountFactor(model: RiskModel, action: RiskInput): RiskFactor | null {
  const amount = action.amount;
  if (!amount) return null;
  const magnitude = Math.abs(amount.value);
  let band: RiskModel['amount'][number] | null = null;
  for (const candidate of model.amount) {
    if (magnitude > candidate.over && (band === null || candidate.over > band.over)) band = candidate;
  }
  if (band === null) return null;
  return {
    dimension: 'amount',
    points: band.points,
    detail: `Amount ${formatMoney(amount)} is in the band over ${formatNumber(band.over)}.`,
  };
}

// Categories are matched case-insensitively and counted once each: an agent writing "pii"
// or listing PII twice must not change the score.
function dataCategoriesFactor(model: RiskModel, action: RiskInput): RiskFactor | null {
  const pointsByCategory = new Map(Object.entries(model.dataCategories).map(([name, points]) => [name.toUpperCase(), points]));
  const scored = [...new Set((action.dataCategories ?? []).map((category) => category.toUpperCase()))]
    .map((category) => ({ category, points: pointsByCategory.get(category) ?? 0 }))
    .filter(({ points }) => points > 0);
  if (scored.length === 0) return null;
  return {
    dimension: 'dataCategories',
    points: scored.reduce((sum, { points }) => sum + points, 0),
    detail: `Involves ${listFormat.format(scored.map(({ category, points }) => `${category} (+${points})`))} data.`,
  };
}

function newActionTypeFactor(model: RiskModel, action: RiskInput, behaviour: BehaviourSignals): RiskFactor | null {
  if (!behaviour.firstUseOfType) return null;
  return {
    dimension: 'newActionType',
    points: model.behaviour.newActionType,
    detail: `This agent has never submitted a ${action.type} action before.`,
  };
}

function rateSpikeFactor(model: RiskModel, behaviour: BehaviourSignals): RiskFactor | null {
  const baseline = behaviour.baselinePerHour;
  if (baseline === null) return null;
  const limit = Math.max(RATE_SPIKE_MULTIPLE * baseline, baseline + RATE_SPIKE_MIN_EXCESS);
  if (behaviour.requestsLastHour <= limit) return null;
  return {
    dimension: 'rateSpike',
    points: model.behaviour.rateSpike,
    detail:
      `This agent sent ${formatNumber(behaviour.requestsLastHour)} requests in the last hour, ` +
      `against a usual ${formatNumber(baseline)} per hour.`,
  };
}

function unusualAmountFactor(model: RiskModel, action: RiskInput, behaviour: BehaviourSignals): RiskFactor | null {
  const amount = action.amount;
  const usual = behaviour.usualAmount;
  if (!amount || !usual || usual.samples < UNUSUAL_AMOUNT_MIN_SAMPLES) return null;
  if (Math.abs(amount.value) <= UNUSUAL_AMOUNT_MULTIPLE * usual.p95) return null;
  return {
    dimension: 'unusualAmount',
    points: model.behaviour.unusualAmount,
    detail:
      `Amount ${formatMoney(amount)} is more than ${UNUSUAL_AMOUNT_MULTIPLE} times this agent's usual high ` +
      `for ${action.type} (95th percentile ${formatNumber(usual.p95)}).`,
  };
}

function recentDenialsFactor(model: RiskModel, behaviour: BehaviourSignals): RiskFactor | null {
  const { recentDenials: denied, recentFlags: flagged } = behaviour;
  if (denied + flagged < RECENT_DENIALS_MIN) return null;
  const parts: string[] = [];
  if (denied > 0) parts.push(`${denied} of this agent's requests ${denied === 1 ? 'was' : 'were'} denied`);
  if (flagged > 0) {
    const subject = denied > 0 ? `${flagged}` : `${flagged} of this agent's requests`;
    parts.push(`${subject} ${flagged === 1 ? 'was' : 'were'} flagged by a reviewer`);
  }
  return {
    dimension: 'recentDenials',
    points: model.behaviour.recentDenials,
    detail: `${parts.join(' and ')} in the last 24 hours.`,
  };
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const listFormat = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

function formatNumber(value: number): string {
  return numberFormat.format(value);
}

function formatMoney(amount: { readonly value: number; readonly currency: string }): string {
  return `${formatNumber(amount.value)} ${amount.currency}`;
}
