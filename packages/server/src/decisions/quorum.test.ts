import { describe, expect, it } from 'vitest';
import { ActionStatus, Verdict } from '../shared/enums.js';
import { tally, type Vote } from './quorum.js';

const approve = (approverId: string): Vote => ({ approverId, verdict: Verdict.APPROVE });
const deny = (approverId: string): Vote => ({ approverId, verdict: Verdict.DENY });
const requestChanges = (approverId: string): Vote => ({ approverId, verdict: Verdict.REQUEST_CHANGES });

const ended = (outcome: ActionStatus) => ({ ok: true, outcome });

describe('tally', () => {
  it('should approve on the first approval when one is required', () => {
    expect(tally([], approve('alice'), 1)).toEqual(ended(ActionStatus.APPROVED));
  });

  it('should stay pending until enough distinct approvers have approved', () => {
    expect(tally([], approve('alice'), 2)).toEqual(ended(ActionStatus.PENDING));
    expect(tally([approve('alice')], approve('bob'), 3)).toEqual(ended(ActionStatus.PENDING));
    expect(tally([approve('alice'), approve('bob')], approve('carol'), 3)).toEqual(ended(ActionStatus.APPROVED));
  });

  it('should refuse a second vote from the same approver', () => {
    expect(tally([approve('alice')], approve('alice'), 2)).toEqual({ ok: false, reason: 'ALREADY_DECIDED_BY_YOU' });
  });

  it('should not let an approver change their vote', () => {
    expect(tally([approve('alice')], deny('alice'), 2)).toEqual({ ok: false, reason: 'ALREADY_DECIDED_BY_YOU' });
  });

  it('should deny on a single denial, whatever approvals came before', () => {
    expect(tally([], deny('alice'), 1)).toEqual(ended(ActionStatus.DENIED));
    expect(tally([approve('alice'), approve('bob')], deny('carol'), 3)).toEqual(ended(ActionStatus.DENIED));
  });

  it('should end the request when changes are requested, whatever approvals came before', () => {
    expect(tally([], requestChanges('alice'), 1)).toEqual(ended(ActionStatus.CHANGES_REQUESTED));
    expect(tally([approve('alice')], requestChanges('bob'), 2)).toEqual(ended(ActionStatus.CHANGES_REQUESTED));
  });

  it('should count an approver stored twice only once toward the quorum', () => {
    expect(tally([approve('alice'), approve('alice')], approve('bob'), 3)).toEqual(ended(ActionStatus.PENDING));
  });

  it('should never approve what someone already denied, even if the votes disagree', () => {
    expect(tally([deny('alice')], approve('bob'), 1)).toEqual(ended(ActionStatus.DENIED));
    expect(tally([requestChanges('alice')], approve('bob'), 1)).toEqual(ended(ActionStatus.CHANGES_REQUESTED));
    expect(tally([requestChanges('alice')], deny('bob'), 1)).toEqual(ended(ActionStatus.DENIED));
  });

  it.each([0, -1, 1.5, Number.NaN])('should refuse a quorum of %s', (requiredApprovals) => {
    expect(() => tally([], approve('alice'), requiredApprovals)).toThrow(RangeError);
  });

  it('should refuse a verdict it does not know rather than count it', () => {
    const unknown = { approverId: 'alice', verdict: 'ABSTAIN' } as unknown as Vote;
    expect(() => tally([], unknown, 1)).toThrow(/ABSTAIN/);
  });
});
