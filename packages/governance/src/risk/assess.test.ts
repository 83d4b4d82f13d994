import { describe, expect, it } from 'vitest';
import { DataClassification, Operation, RiskLevel } from '../enums.js';
import { assessRisk, levelForScore, type BehaviourSignals, type RiskInput } from './assess.js';
import { DEFAULT_RISK_MODEL, type RiskModel } from './model.js';

const QUIET: BehaviourSignals = {
  firstUseOfType: false,
  requestsLastHour: 1,
  baselinePerHour: 2,
  usualAmount: null,
  recentDenials: 0,
  recentFlags: 0,
};

const READ: RiskInput = { type: 'reports.read', operation: Operation.READ };

function assess(action: Partial<RiskInput>, behaviour: Partial<BehaviourSignals> = {}, model: RiskModel = DEFAULT_RISK_MODEL) {
  return assessRisk(model, { ...READ, ...action }, { ...QUIET, ...behaviour });
}

function factor(action: Partial<RiskInput>, dimension: string, behaviour: Partial<BehaviourSignals> = {}) {
  return assess(action, behaviour).factors.find((f) => f.dimension === dimension);
}

/** A model where only the given part scores, so each test sees one dimension at a time. */
function modelWith(overrides: Partial<RiskModel>): RiskModel {
  return { ...DEFAULT_RISK_MODEL, operation: { READ: 0, WRITE: 0, DELETE: 0, EXECUTE: 0 }, ...overrides };
}

describe('assessRisk', () => {
  it('scores a plain read as zero risk, LOW, with no factors', () => {
    expect(assess({})).toEqual({ score: 0, level: RiskLevel.LOW, factors: [] });
  });

  describe('operation', () => {
    it.each([
      [Operation.WRITE, 20, 'Creates or changes data (WRITE).'],
      [Operation.DELETE, 35, 'Deletes data (DELETE).'],
      [Operation.EXECUTE, 25, 'Runs an operation with side effects (EXECUTE).'],
    ])('adds the points of %s with a sentence of what it does', (operation, points, detail) => {
      expect(assess({ operation }).factors).toEqual([{ dimension: 'operation', points, detail }]);
    });

    it('leaves out an operation worth 0 points', () => {
      expect(factor({ operation: Operation.READ }, 'operation')).toBeUndefined();
    });
  });

  describe('classification', () => {
    it('adds the points of the classification', () => {
      expect(factor({ dataClassification: DataClassification.RESTRICTED }, 'classification')).toEqual({
        dimension: 'classification',
        points: 45,
        detail: 'Touches data classified RESTRICTED.',
      });
    });

    it('adds nothing when no classification is given', () => {
      expect(factor({ dataClassification: null }, 'classification')).toBeUndefined();
      expect(factor({}, 'classification')).toBeUndefined();
    });
  });

  describe('external destination', () => {
    it('adds its points and names the system when the destination is external', () => {
      expect(factor({ destination: { system: 'stripe', external: true } }, 'externalDestination')).toEqual({
        dimension: 'externalDestination',
        points: 25,
        detail: 'Sends data to an external system (stripe).',
      });
    });

    it('adds nothing for an internal destination', () => {
      expect(factor({ destination: { system: 'ledger', external: false } }, 'externalDestination')).toBeUndefined();
    });
  });

  describe('amount', () => {
    const usd = (value: number) => ({ amount: { value, currency: 'USD' } });

    it('uses only the highest band the amount exceeds, never the sum of bands', () => {
      expect(factor(usd(25_000), 'amount')).toEqual({
        dimension: 'amount',
        points: 25,
        detail: 'Amount 25,000 USD is in the band over 10,000.',
      });
    });

    it('counts a band only when the amount is strictly over it', () => {
      expect(factor(usd(1000), 'amount')).toBeUndefined();
      expect(factor(usd(1000.01), 'amount')?.points).toBe(10);
      expect(factor(usd(10_000), 'amount')?.points).toBe(10);
      expect(factor(usd(100_001), 'amount')?.points).toBe(45);
    });

    it('scores a large refund like a large payment', () => {
      expect(factor(usd(-25_000), 'amount')?.points).toBe(25);
    });

    it('finds the highest band even when the model lists bands out of order', () => {
      const model = modelWith({ amount: [{ over: 500, points: 30 }, { over: 100, points: 5 }] });
      expect(assess(usd(600), {}, model).score).toBe(30);
    });

    it('adds nothing when no amount is given', () => {
      expect(factor({}, 'amount')).toBeUndefined();
    });
  });

  describe('data categories', () => {
    it('sums the points of every listed category and explains each', () => {
      expect(factor({ dataCategories: ['PII', 'PHI'] }, 'dataCategories')).toEqual({
        dimension: 'dataCategories',
        points: 30,
        detail: 'Involves PII (+10) and PHI (+20) data.',
      });
    });

    it('gives unknown categories no points', () => {
      expect(factor({ dataCategories: ['GENOMIC'] }, 'dataCategories')).toBeUndefined();
      expect(factor({ dataCategories: ['GENOMIC', 'PCI'] }, 'dataCategories')?.points).toBe(20);
    });

    it('counts a category once, whatever its case or how often it is listed', () => {
      expect(factor({ dataCategories: ['pii', 'PII', 'Pii'] }, 'dataCategories')?.points).toBe(10);
    });
  });

  describe('behaviour', () => {
    it('adds newActionType the first time the agent uses a type', () => {
      expect(factor({ type: 'payments.transfer' }, 'newActionType', { firstUseOfType: true })).toEqual({
        dimension: 'newActionType',
        points: 15,
        detail: 'This agent has never submitted a payments.transfer action before.',
      });
      expect(factor({}, 'newActionType', { firstUseOfType: false })).toBeUndefined();
    });

    describe('rateSpike', () => {
      it('fires above three times the baseline when that is the larger bound', () => {
        // baseline 20: 3 × 20 = 60 beats 20 + 10 = 30
        expect(factor({}, 'rateSpike', { baselinePerHour: 20, requestsLastHour: 60 })).toBeUndefined();
        expect(factor({}, 'rateSpike', { baselinePerHour: 20, requestsLastHour: 61 })).toEqual({
          dimension: 'rateSpike',
          points: 20,
          detail: 'This agent sent 61 requests in the last hour, against a usual 20 per hour.',
        });
      });

      it('needs ten requests above a small baseline, so a quiet agent is not flagged for a few more', () => {
        // baseline 2: 2 + 10 = 12 beats 3 × 2 = 6
        expect(factor({}, 'rateSpike', { baselinePerHour: 2, requestsLastHour: 12 })).toBeUndefined();
        expect(factor({}, 'rateSpike', { baselinePerHour: 2, requestsLastHour: 13 })?.points).toBe(20);
      });

      it('never fires while the agent has too little history for a baseline', () => {
        expect(factor({}, 'rateSpike', { baselinePerHour: null, requestsLastHour: 1000 })).toBeUndefined();
      });
    });

    describe('unusualAmount', () => {
      const usual = { p50: 500, p95: 1000, samples: 5 };
      const amount = (value: number) => ({ type: 'payments.transfer', amount: { value, currency: 'EUR' } });

      it('fires when the amount is more than three times the usual 95th percentile', () => {
        expect(factor(amount(3000), 'unusualAmount', { usualAmount: usual })).toBeUndefined();
        expect(factor(amount(3000.5), 'unusualAmount', { usualAmount: usual })).toEqual({
          dimension: 'unusualAmount',
          points: 20,
          detail: "Amount 3,000.5 EUR is more than 3 times this agent's usual high for payments.transfer (95th percentile 1,000).",
        });
      });

      it('needs at least five past amounts before calling one unusual', () => {
        expect(factor(amount(1_000_000), 'unusualAmount', { usualAmount: { ...usual, samples: 4 } })).toBeUndefined();
        expect(factor(amount(1_000_000), 'unusualAmount', { usualAmount: null })).toBeUndefined();
      });

      it('does not fire without an amount', () => {
        expect(factor({}, 'unusualAmount', { usualAmount: usual })).toBeUndefined();
      });
    });

    describe('recentDenials', () => {
      it('gives full points from a single denial and says how many', () => {
        expect(factor({}, 'recentDenials', { recentDenials: 1 })).toEqual({
          dimension: 'recentDenials',
          points: 15,
          detail: "1 of this agent's requests was denied in the last 24 hours.",
        });
        expect(factor({}, 'recentDenials', { recentDenials: 7 })?.points).toBe(15);
      });

      it('counts reviewer flags as well as denials', () => {
        expect(factor({}, 'recentDenials', { recentFlags: 2 })?.detail).toBe(
          "2 of this agent's requests were flagged by a reviewer in the last 24 hours.",
        );
        expect(factor({}, 'recentDenials', { recentDenials: 2, recentFlags: 1 })?.detail).toBe(
          "2 of this agent's requests were denied and 1 was flagged by a reviewer in the last 24 hours.",
        );
      });

      it('does not fire on a clean record', () => {
        expect(factor({}, 'recentDenials', { recentDenials: 0, recentFlags: 0 })).toBeUndefined();
      });
    });
  });

  it('adds the dimensions together and lists factors in a fixed order', () => {
    const result = assess(
      {
        type: 'payments.transfer',
        operation: Operation.WRITE,
        dataClassification: DataClassification.CONFIDENTIAL,
        destination: { system: 'stripe', external: true },
      },
      { firstUseOfType: true },
    );
    expect(result.factors.map((f) => f.dimension)).toEqual(['operation', 'classification', 'externalDestination', 'newActionType']);
    expect(result.score).toBe(20 + 25 + 25 + 15);
    expect(result.level).toBe(RiskLevel.CRITICAL);
  });

  it('clamps the score to 100', () => {
    const result = assess(
      {
        operation: Operation.DELETE,
        dataClassification: DataClassification.RESTRICTED,
        destination: { system: 'x', external: true },
        amount: { value: 1e9, currency: 'USD' },
      },
      { firstUseOfType: true, recentDenials: 3 },
    );
    expect(result.score).toBe(100);
    expect(result.level).toBe(RiskLevel.CRITICAL);
    // The factors still show every point, so approvers see how far past the limit it went.
    expect(result.factors.reduce((sum, f) => sum + f.points, 0)).toBeGreaterThan(100);
  });

  it('uses the points of the model it is given', () => {
    const model = modelWith({ externalDestination: 70 });
    expect(assess({ destination: { system: 'x', external: true } }, {}, model)).toMatchObject({ score: 70, level: RiskLevel.HIGH });
  });

  it.each([
    [29, RiskLevel.LOW],
    [30, RiskLevel.MEDIUM],
    [59, RiskLevel.MEDIUM],
    [60, RiskLevel.HIGH],
    [84, RiskLevel.HIGH],
    [85, RiskLevel.CRITICAL],
  ])('gives a score of %i the level %s', (points, level) => {
    const model = modelWith({ externalDestination: points });
    expect(assess({ destination: { system: 'x', external: true } }, {}, model)).toMatchObject({ score: points, level });
  });
});

describe('levelForScore', () => {
  const levels = { MEDIUM: 10, HIGH: 20, CRITICAL: 30 };

  it('starts each level at its threshold', () => {
    expect([0, 9, 10, 19, 20, 29, 30, 100].map((score) => levelForScore(score, levels))).toEqual([
      RiskLevel.LOW,
      RiskLevel.LOW,
      RiskLevel.MEDIUM,
      RiskLevel.MEDIUM,
      RiskLevel.HIGH,
      RiskLevel.HIGH,
      RiskLevel.CRITICAL,
      RiskLevel.CRITICAL,
    ]);
  });
});

describe('DEFAULT_RISK_MODEL', () => {
  it('cannot be changed by a careless caller', () => {
    expect(() => {
      (DEFAULT_RISK_MODEL.operation as Record<string, number>).READ = 50;
    }).toThrow(TypeError);
  });
});
