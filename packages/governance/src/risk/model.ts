import type { DataClassification, Operation } from '../enums.js';

/** Points added when an amount's magnitude exceeds `over` (in the action's own currency units). */
export interface AmountBand {
  readonly over: number;
  readonly points: number;
}

/** Points for each behaviour signal (see `assessRisk` for when each one fires). */
export interface BehaviourPoints {
  readonly newActionType: number;
  readonly rateSpike: number;
  readonly unusualAmount: number;
  readonly recentDenials: number;
}

/** The score at which each level starts; anything below MEDIUM is LOW. */
export interface LevelThresholds {
  readonly MEDIUM: number;
  readonly HIGH: number;
  readonly CRITICAL: number;
}

/**
 * How many points each dimension of a request adds to its risk score, and where the
 * levels start (DESIGN §3 `riskModel`). Plain data, so it can be stored with the
 * governance version that scored a request and replayed by simulations.
 */
export interface RiskModel {
  readonly operation: Readonly<Record<Operation, number>>;
  readonly classification: Readonly<Record<DataClassification, number>>;
  /** Added when the action sends data to a system outside the company. */
  readonly externalDestination: number;
  /** Points per data category (PII, PHI, ...); categories not listed add nothing. */
  readonly dataCategories: Readonly<Record<string, number>>;
  /** Ordered by `over`, lowest first; only the highest band exceeded counts. */
  readonly amount: readonly AmountBand[];
  readonly behaviour: BehaviourPoints;
  readonly levels: LevelThresholds;
}

/**
 * The risk model of DESIGN §3, used for every part a governance document leaves out and
 * before any document has been applied. Frozen, because it is shared by every caller.
 */
export const DEFAULT_RISK_MODEL: RiskModel = deepFreeze({
  operation: { READ: 0, WRITE: 20, DELETE: 35, EXECUTE: 25 },
  classification: { PUBLIC: 0, INTERNAL: 5, CONFIDENTIAL: 25, RESTRICTED: 45 },
  externalDestination: 25,
  dataCategories: { PII: 10, PHI: 20, PCI: 20 },
  amount: [
    { over: 1000, points: 10 },
    { over: 10000, points: 25 },
    { over: 100000, points: 45 },
  ],
  behaviour: { newActionType: 15, rateSpike: 20, unusualAmount: 20, recentDenials: 15 },
  levels: { MEDIUM: 30, HIGH: 60, CRITICAL: 85 },
});

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
