import { describe, expect, it } from 'vitest';
import { ActionStatus, AgentStatus, Mode, RiskLevel } from '../shared/enums.js';
import { grantOffer } from './offer.js';

const limits = { allowed: true, maxTtl: 8 * 3600, maxLevel: RiskLevel.HIGH };
const pending = { status: ActionStatus.PENDING, mode: Mode.SYNC_APPROVAL, level: RiskLevel.HIGH, requiredApprovals: 1 };

describe('grantOffer', () => {
  it('offers a grant on a pending one-approval request under a policy that allows grants, up to its maxTtl', () => {
    expect(grantOffer(pending, AgentStatus.ACTIVE, limits)).toEqual({ allowed: true, reason: null, maxTtl: 8 * 3600 });
  });

  it('offers none where decide would refuse one, saying why', () => {
    expect(grantOffer(pending, AgentStatus.ACTIVE, null)).toEqual({ allowed: false, reason: 'its policy allows no grants', maxTtl: null });
    expect(grantOffer(pending, AgentStatus.ACTIVE, { ...limits, allowed: false })).toEqual({ allowed: false, reason: 'its policy allows no grants', maxTtl: null });
    expect(grantOffer({ ...pending, requiredApprovals: 2 }, AgentStatus.ACTIVE, limits)).toEqual({ allowed: false, reason: 'it needs 2 approvals', maxTtl: 8 * 3600 });
    expect(grantOffer({ ...pending, level: RiskLevel.CRITICAL }, AgentStatus.ACTIVE, { ...limits, maxLevel: RiskLevel.CRITICAL }).allowed).toBe(false);
    expect(grantOffer({ ...pending, level: RiskLevel.HIGH }, AgentStatus.ACTIVE, { ...limits, maxLevel: RiskLevel.MEDIUM }).reason).toMatch(/above the policy's grants.maxLevel MEDIUM/);
    expect(grantOffer(pending, AgentStatus.SUSPENDED, limits).reason).toBe('the agent is suspended');
    expect(grantOffer({ ...pending, status: ActionStatus.APPROVED }, AgentStatus.ACTIVE, limits).reason).toBe('it is no longer pending');
  });
});
