import { describe, expect, it } from 'vitest';
import { RiskLevel } from '../shared/enums.js';
import { grantLimitsByPolicy, grantMetrics, liveGrantScope, repeatApproval } from './grant-figures.js';

describe('grantMetrics', () => {
  const counts = { uses: 7, granted: 6, active: 2, created: 3, revoked: 1, reviews: 5, flagged: 2 };

  it('should give the share of SYNC requests granted, and null when none was submitted', () => {
    expect(grantMetrics(counts, [], 24)).toMatchObject({ uses: 7, granted: 6, grantedShare: 0.25, active: 2, created: 3, revoked: 1, reviews: 5, flagged: 2, flaggedGrants: [] });
    expect(grantMetrics({ ...counts, granted: 0 }, [], 0).grantedShare).toBeNull();
  });

  it('should list flagged grants most flags first, each request once, comments without blanks', () => {
    const row = { agent_id: 'g1', agent_name: 'bot', action_type: 'payments.transfer', granted_by_name: 'fiona', active: true, uses: 4 };
    const m = grantMetrics(counts, [
      { ...row, grant_id: 'b', flagged: 1, action_ids: ['r-3'], comments: null },
      { ...row, grant_id: 'a', flagged: 2, action_ids: ['r-1', 'r-1', 'r-2'], comments: ['Wrong vendor', ' ', 'Twice'] },
    ], 10);
    expect(m.flaggedGrants.map((g) => [g.grantId, g.flagged, g.flaggedActionIds, g.comments])).toEqual([
      ['a', 2, ['r-1', 'r-2'], ['Wrong vendor', 'Twice']],
      ['b', 1, ['r-3'], []],
    ]);
    expect(m.flaggedGrants[0]).toMatchObject({ agentId: 'g1', agentName: 'bot', actionType: 'payments.transfer', grantedBy: 'fiona', active: true, uses: 4 });
  });
});

describe('rows', () => {
  it('should read amounts PostgreSQL gives as text', () => {
    const base = { approver_id: 'a', approver_name: 'fiona', agent_id: 'g', agent_name: 'bot', action_type: 't', currency: 'EUR', policy: 'p', level: RiskLevel.LOW, approvals: 5, refusals_of_type: 0 };
    expect(repeatApproval({ ...base, max_amount: '2000.0000' }).maxAmount).toBe(2000);
    expect(repeatApproval({ ...base, max_amount: null }).maxAmount).toBeNull();
    const grant = { id: 'x', agent_id: 'g', action_type: 't', when: null, max_amount_value: '10.5000', max_amount_currency: 'EUR', same_destination: false, payload_hash: null };
    expect(liveGrantScope(grant)).toEqual({ id: 'x', agentId: 'g', actionType: 't', when: null, maxAmount: { value: 10.5, currency: 'EUR' }, narrowed: false });
    expect(liveGrantScope({ ...grant, payload_hash: 'h' }).narrowed).toBe(true);
  });

  it("should keep only the policies with a grants block", () => {
    const grants = { allowed: true, maxTtl: 3600, maxLevel: RiskLevel.HIGH };
    expect([...grantLimitsByPolicy({ policies: [{ name: 'a', grants }, { name: 'b' }] })]).toEqual([['a', grants]]);
    expect(grantLimitsByPolicy(null).size).toBe(0);
  });
});
