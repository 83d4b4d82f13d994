import { describe, expect, it } from 'vitest';
import { DataClassification, Mode, Operation, RiskLevel } from './enums.js';
import { toCelVars, type SubmittedAction } from './cel.js';
import { parseGovernance, type CompiledGovernance } from './document.js';
import { EXAMPLE_GOVERNANCE_YAML } from './examples.js';
import { decidePolicy } from './policy.js';

function compile(yaml: string): CompiledGovernance {
  const result = parseGovernance(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.compiled;
}

const TRANSFER: SubmittedAction = {
  type: 'payments.transfer',
  operation: Operation.WRITE,
  summary: 'Pay invoice 17',
  amount: { value: 2500, currency: 'USD' },
  destination: { system: 'bank', external: false },
};

function vars(action: Partial<SubmittedAction> = {}, level = RiskLevel.MEDIUM) {
  return toCelVars({ ...TRANSFER, ...action }, { name: 'billing-bot', tags: [] }, { score: 40, level });
}

const EXAMPLE = compile(EXAMPLE_GOVERNANCE_YAML);

describe('decidePolicy', () => {
  describe('with no governance applied yet', () => {
    it.each([
      [RiskLevel.LOW, Mode.AUTO],
      [RiskLevel.MEDIUM, Mode.ASYNC_REVIEW],
      [RiskLevel.HIGH, Mode.SYNC_APPROVAL],
      [RiskLevel.CRITICAL, Mode.SYNC_APPROVAL],
    ])('maps %s to the default mode %s', (level, mode) => {
      expect(decidePolicy(null, vars({}, level), level)).toEqual({
        policy: null,
        level,
        mode,
        requiredApprovals: 1,
        consequences: null,
        breakGlass: null,
        notes: [],
        adjustments: [],
      });
    });
  });

  it("carries the matching policy's break-glass rule, and none without a policy", () => {
    const governance = compile(`version: 1
policies:
  - { name: payments, match: 'action.type.startsWith("payments.")', breakGlass: { allowed: true, maxPerDay: 2 } }
  - { name: reports, match: 'action.type.startsWith("reports.")' }
`);
    expect(decidePolicy(governance, vars({ type: 'payments.transfer' }, RiskLevel.HIGH), RiskLevel.HIGH).breakGlass).toEqual({ allowed: true, maxPerDay: 2 });
    expect(decidePolicy(governance, vars({ type: 'reports.send' }, RiskLevel.HIGH), RiskLevel.HIGH).breakGlass).toBeNull();
    expect(decidePolicy(governance, vars({ type: 'crm.export' }, RiskLevel.HIGH), RiskLevel.HIGH).breakGlass).toBeNull();
  });

  it('uses the defaults when no policy matches', () => {
    const decision = decidePolicy(EXAMPLE, vars({ type: 'crm.export' }, RiskLevel.HIGH), RiskLevel.HIGH);
    expect(decision).toMatchObject({ policy: null, level: RiskLevel.HIGH, mode: Mode.SYNC_APPROVAL, consequences: null });
  });

  it('maps the level through the modes of the matching policy and carries its consequences', () => {
    const governance = compile(`version: 1
policies:
  - name: reports
    match: 'action.type.startsWith("reports.")'
    modes: { HIGH: ASYNC_REVIEW }
    consequences: { approve: The report is emailed to the board. }
`);
    const decision = decidePolicy(governance, vars({ type: 'reports.send' }, RiskLevel.HIGH), RiskLevel.HIGH);
    expect(decision).toMatchObject({
      policy: 'reports',
      level: RiskLevel.HIGH,
      mode: Mode.ASYNC_REVIEW,
      consequences: { approve: 'The report is emailed to the board.' },
    });
  });

  it('tries policies by priority, higher first, and ties in document order', () => {
    const governance = compile(`version: 1
policies:
  - { name: fallback, match: 'true' }
  - { name: first-of-equals, priority: 5, match: 'true' }
  - { name: second-of-equals, priority: 5, match: 'true' }
`);
    expect(decidePolicy(governance, vars(), RiskLevel.LOW).policy).toBe('first-of-equals');
  });

  describe('adjust', () => {
    it('raises the level and the number of approvals when its condition holds', () => {
      const decision = decidePolicy(EXAMPLE, vars({ amount: { value: 2_000_000, currency: 'USD' } }, RiskLevel.HIGH), RiskLevel.HIGH);
      expect(decision).toMatchObject({ policy: 'payments', level: RiskLevel.CRITICAL, mode: Mode.SYNC_APPROVAL, requiredApprovals: 2 });
      expect(decision.adjustments).toEqual([
        'Policy payments adjust[0] (has(action.amount) && action.amount.value > 1000000.0) raised the level from HIGH to CRITICAL and required 2 approvals.',
      ]);
    });

    it('raises the level but never lowers it', () => {
      const governance = compile(`version: 1
policies:
  - name: p
    match: 'true'
    adjust: [ { when: 'true', level: MEDIUM } ]
`);
      const decision = decidePolicy(governance, vars({}, RiskLevel.HIGH), RiskLevel.HIGH);
      expect(decision.level).toBe(RiskLevel.HIGH);
      expect(decision.mode).toBe(Mode.SYNC_APPROVAL);
      expect(decision.adjustments).toEqual([
        'Policy p adjust[0] (true) kept the level at HIGH (it asks for MEDIUM, and adjustments never lower a level).',
      ]);
    });

    it('picks the mode of the raised level', () => {
      const governance = compile(`version: 1
policies:
  - name: p
    match: 'true'
    modes: { LOW: AUTO, CRITICAL: BLOCK }
    adjust: [ { when: 'action.recordCount > 500', level: CRITICAL } ]
`);
      expect(decidePolicy(governance, vars({ recordCount: 501 }, RiskLevel.LOW), RiskLevel.LOW)).toMatchObject({
        level: RiskLevel.CRITICAL,
        mode: Mode.BLOCK,
      });
      expect(decidePolicy(governance, vars({ recordCount: 500 }, RiskLevel.LOW), RiskLevel.LOW)).toMatchObject({
        level: RiskLevel.LOW,
        mode: Mode.AUTO,
        adjustments: [],
      });
    });

    it('blocks an external send of restricted data whatever the level', () => {
      const action = { destination: { system: 'stripe', external: true }, dataClassification: DataClassification.RESTRICTED };
      const decision = decidePolicy(EXAMPLE, vars(action, RiskLevel.LOW), RiskLevel.LOW);
      expect(decision).toMatchObject({ level: RiskLevel.LOW, mode: Mode.BLOCK });
    });

    it('lets BLOCK win over any mode forced before or after it', () => {
      const governance = compile(`version: 1
policies:
  - name: p
    match: 'true'
    adjust:
      - { when: 'true', mode: AUTO }
      - { when: 'true', mode: BLOCK }
      - { when: 'true', mode: SYNC_APPROVAL }
`);
      const decision = decidePolicy(governance, vars(), RiskLevel.LOW);
      expect(decision.mode).toBe(Mode.BLOCK);
      expect(decision.adjustments).toEqual([
        'Policy p adjust[0] (true) forced the mode AUTO.',
        'Policy p adjust[1] (true) forced the mode BLOCK.',
        'Policy p adjust[2] (true) asked for the mode SYNC_APPROVAL, but BLOCK from an earlier rule is stricter.',
      ]);
    });

    it('lets a forced mode override the mode of the level', () => {
      const governance = compile(`version: 1
policies:
  - { name: p, match: 'true', adjust: [ { when: 'agent.name == "billing-bot"', mode: SYNC_APPROVAL } ] }
`);
      expect(decidePolicy(governance, vars(), RiskLevel.LOW).mode).toBe(Mode.SYNC_APPROVAL);
    });

    it('keeps the highest number of approvals asked for', () => {
      const governance = compile(`version: 1
policies:
  - name: p
    match: 'true'
    adjust:
      - { when: 'true', requiredApprovals: 3 }
      - { when: 'true', requiredApprovals: 2 }
`);
      const decision = decidePolicy(governance, vars(), RiskLevel.HIGH);
      expect(decision.requiredApprovals).toBe(3);
      expect(decision.adjustments[1]).toBe('Policy p adjust[1] (true) asked for 2 approvals, but 3 are already required.');
    });
  });

  describe('evaluation errors', () => {
    it('counts a failing adjust condition as false and notes it on the request', () => {
      const governance = compile(`version: 1
policies:
  - name: payments
    match: 'true'
    adjust: [ { when: 'action.amount.value > 1000000.0', level: CRITICAL } ]
`);
      const decision = decidePolicy(governance, vars({ amount: null }), RiskLevel.MEDIUM);
      expect(decision).toMatchObject({ policy: 'payments', level: RiskLevel.MEDIUM, mode: Mode.ASYNC_REVIEW, adjustments: [] });
      expect(decision.notes).toEqual(['policy payments adjust[0].when: No such key: amount']);
    });

    it('counts a failing match as false, notes it, and tries the next policy', () => {
      const governance = compile(`version: 1
policies:
  - { name: big-exports, priority: 1, match: 'action.recordCount > 1000', modes: { LOW: BLOCK } }
  - { name: everything, match: 'true' }
`);
      const decision = decidePolicy(governance, vars({ recordCount: null }), RiskLevel.LOW);
      expect(decision).toMatchObject({ policy: 'everything', mode: Mode.AUTO });
      expect(decision.notes).toEqual(['policy big-exports match: No such key: recordCount']);
    });
  });
});
