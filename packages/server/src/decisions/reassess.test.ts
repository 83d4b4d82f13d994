import { describe, expect, it } from 'vitest';
import { Mode, RiskLevel } from '../shared/enums.js';
import { reassess } from './reassess.js';

const decision = (over: Partial<Parameters<typeof reassess>[1]> = {}) => ({
  policy: 'payments', level: RiskLevel.HIGH, mode: Mode.SYNC_APPROVAL, requiredApprovals: 1, adjustments: [], notes: [], ...over,
});

describe('reassess', () => {
  it('should raise the approvals required and the level when the policy asks more of the modified payload', () => {
    const result = reassess({ level: RiskLevel.HIGH, requiredApprovals: 1 }, decision({ level: RiskLevel.CRITICAL, requiredApprovals: 2, adjustments: ['Policy payments adjust[0] (…) required 2 approvals.'] }), 'bob');
    expect(result).toEqual({
      blocked: false, level: RiskLevel.CRITICAL, requiredApprovals: 2,
      raised: { level: { from: RiskLevel.HIGH, to: RiskLevel.CRITICAL }, requiredApprovals: { from: 1, to: 2 } },
      notes: ['The payload bob approved was evaluated again: the level rose from HIGH to CRITICAL and 2 approvals are now required (were 1).', 'Policy payments adjust[0] (…) required 2 approvals.'],
    });
  });

  it('should never lower what the request already requires', () => {
    const result = reassess({ level: RiskLevel.CRITICAL, requiredApprovals: 3 }, decision({ level: RiskLevel.LOW, mode: Mode.AUTO, requiredApprovals: 1 }), 'bob');
    expect(result).toMatchObject({ blocked: false, level: RiskLevel.CRITICAL, requiredApprovals: 3, raised: {} });
    expect(result.notes[0]).toBe('The payload bob approved was evaluated again: it requires nothing more.');
  });

  it('should block a modified payload the policy blocks, saying which policy', () => {
    const result = reassess({ level: RiskLevel.HIGH, requiredApprovals: 1 }, decision({ mode: Mode.BLOCK }), 'bob');
    expect(result).toMatchObject({ blocked: true, policy: 'payments', reason: 'The payload bob approved was evaluated again: policy payments blocks it.' });
  });
});
