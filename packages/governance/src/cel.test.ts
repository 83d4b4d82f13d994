import { describe, expect, it } from 'vitest';
import { DataClassification, Operation, RiskLevel } from './enums.js';
import { ConditionError, compileCondition, toCelAction, toCelVars, type SubmittedAction } from './cel.js';

const TRANSFER: SubmittedAction = {
  type: 'payments.transfer',
  operation: Operation.WRITE,
  summary: 'Pay invoice 17',
  destination: { system: 'stripe', external: true },
  amount: { value: 25_000, currency: 'USD' },
};

function varsFor(action: Partial<SubmittedAction> = {}, risk = { score: 40, level: RiskLevel.MEDIUM }) {
  return toCelVars({ ...TRANSFER, ...action }, { name: 'billing-bot', tags: ['finance'] }, risk);
}

function holds(source: string, action: Partial<SubmittedAction> = {}): boolean {
  return compileCondition(source).evaluate(varsFor(action)).value;
}

describe('compileCondition', () => {
  it('evaluates a condition over action, agent and risk', () => {
    expect(holds('action.type.startsWith("payments.")')).toBe(true);
    expect(holds('agent.name == "billing-bot" && "finance" in agent.tags')).toBe(true);
    expect(holds('risk.level == "MEDIUM" && risk.score >= 40')).toBe(true);
    expect(holds('action.destination.external && action.destination.system == "stripe"')).toBe(true);
  });

  describe('numbers', () => {
    const amounts = [1_000_000, 1_000_000.5, 2_000_000, 999.99, 1000, 1001];

    it.each(amounts)('compares an amount of %d with double and int literals alike', (value) => {
      const amount = { value, currency: 'USD' };
      expect(holds('action.amount.value > 1000000.0', { amount })).toBe(value > 1_000_000);
      expect(holds('action.amount.value > 1000', { amount })).toBe(value > 1000);
      expect(holds('action.amount.value >= 1000', { amount })).toBe(value >= 1000);
      expect(holds('action.amount.value == 1000', { amount })).toBe(value === 1000);
    });

    it('compares a record count with int and double literals alike', () => {
      expect(holds('action.recordCount > 500', { recordCount: 501 })).toBe(true);
      expect(holds('action.recordCount > 500', { recordCount: 500 })).toBe(false);
      expect(holds('action.recordCount > 500.0', { recordCount: 501 })).toBe(true);
      expect(holds('action.recordCount + 1 > 500', { recordCount: 500 })).toBe(true);
      expect(holds('action.recordCount == 500.0', { recordCount: 500 })).toBe(true);
      expect(holds('action.recordCount != 500.5', { recordCount: 500 })).toBe(true);
    });

    it('rounds a fractional record count up, so a limit is never slipped under', () => {
      expect(holds('action.recordCount > 500', { recordCount: 500.2 })).toBe(true);
    });

    it('compares numbers inside the payload whether they are whole or not', () => {
      expect(holds('action.payload.quantity > 10', { payload: { quantity: 11 } })).toBe(true);
      expect(holds('action.payload.quantity > 10', { payload: { quantity: 10.5 } })).toBe(true);
      expect(holds('action.payload.quantity == 10', { payload: { quantity: 10 } })).toBe(true);
    });

    it('compares the risk score with int and double literals alike', () => {
      expect(holds('risk.score >= 40 && risk.score < 40.5')).toBe(true);
    });
  });

  describe('absent fields', () => {
    it('leaves absent optional fields out, so has() tells whether they were given', () => {
      expect(holds('has(action.amount)')).toBe(true);
      expect(holds('has(action.amount)', { amount: null })).toBe(false);
      expect(holds('has(action.amount)', { amount: undefined })).toBe(false);
      expect(holds('has(action.amount) && action.amount.value > 1000000.0', { amount: null })).toBe(false);
    });

    it('counts a condition that reads an absent field as false, and says why', () => {
      const result = compileCondition('action.amount.value > 10').evaluate(varsFor({ amount: null }));
      expect(result).toEqual({ value: false, error: 'No such key: amount' });
    });

    it('lets a condition test data categories even when none were given', () => {
      expect(compileCondition('"PII" in action.dataCategories').evaluate(varsFor())).toEqual({ value: false });
      expect(holds('"PII" in action.dataCategories', { dataCategories: ['PII'] })).toBe(true);
    });
  });

  it('counts a dynamic non-boolean result as false, and says what it gave', () => {
    const result = compileCondition('action.payload.note').evaluate(varsFor({ payload: { note: 'hello' } }));
    expect(result).toEqual({ value: false, error: 'gave the string "hello" instead of true or false' });
  });

  it('counts a type mismatch inside the payload as false, and says why', () => {
    const result = compileCondition('action.payload.limit > 10').evaluate(varsFor({ payload: { limit: 'ten' } }));
    expect(result.value).toBe(false);
    expect(result.error).toMatch(/no such overload/);
  });

  describe('compile errors', () => {
    function compileError(source: string): ConditionError {
      try {
        compileCondition(source);
      } catch (error) {
        if (error instanceof ConditionError) return error;
        throw error;
      }
      throw new Error(`${source} compiled`);
    }

    it('rejects a syntax error and gives its column', () => {
      const error = compileError('action.type.startsWith(');
      expect(error.message).toBe('Unexpected token: EOF at column 24');
      expect(error.position).toEqual({ line: 1, column: 24 });
    });

    it('rejects a misspelt field when the document is applied, not on a later request', () => {
      expect(compileError('action.amonut.value > 1').message).toBe('No such key: amonut at column 8');
    });

    it('rejects an unknown variable', () => {
      expect(compileError('request.type == "x"').message).toMatch(/^Unknown variable: request at column 1$/);
    });

    it('rejects a type mismatch it can see without a request', () => {
      expect(compileError('action.type == 1').message).toBe('no such overload: string == int at column 1');
    });

    it('rejects a condition that is not true or false', () => {
      expect(compileError('action.type').message).toBe('must be true or false, but gives a value of type string');
    });

    it('gives the line as well as the column in a multi-line condition', () => {
      expect(compileError('action.type == "x" &&\n  action.amonut.value > 1').message).toBe('No such key: amonut at line 2, column 10');
    });
  });

  describe('constant', () => {
    it.each([
      ['true', true],
      ['false', false],
      ['1 == 2', false],
      ['false && action.type == "x"', false],
      ['action.type == "x" || true', true],
      ['action.type == "x"', undefined],
      ['has(action.amount)', undefined],
    ])('knows that %s is %s whatever the request', (source, constant) => {
      expect(compileCondition(source).constant).toBe(constant);
    });
  });
});

describe('toCelAction', () => {
  it('copies the given fields and leaves absent ones out', () => {
    const action = toCelAction({
      type: 'crm.export',
      operation: Operation.READ,
      summary: 'Export contacts',
      justification: null,
      dataClassification: DataClassification.CONFIDENTIAL,
      dataCategories: ['PII'],
      recordCount: 1200,
      payload: { list: 'all' },
      context: null,
    });
    expect(action).toEqual({
      type: 'crm.export',
      operation: 'READ',
      summary: 'Export contacts',
      dataClassification: 'CONFIDENTIAL',
      dataCategories: ['PII'],
      recordCount: 1200n,
      payload: { list: 'all' },
    });
  });

  it('gives the same action for a whole and a fractional amount type-wise: always a double', () => {
    expect(typeof toCelAction({ ...TRANSFER, amount: { value: 10, currency: 'USD' } }).amount?.value).toBe('number');
    expect(typeof toCelAction({ ...TRANSFER, amount: { value: 10.5, currency: 'USD' } }).amount?.value).toBe('number');
  });
});
