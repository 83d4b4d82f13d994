import { describe, expect, it } from 'vitest';
import { matchesActionType, resolveDelegate, type DelegationContext, type DelegationRule } from './resolve.js';

const NOW = new Date('2025-06-10T12:00:00.000Z');
const hoursFromNow = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

let nextId = 0;
function delegation(from: string, to: string, scope: Partial<DelegationRule> = {}): DelegationRule {
  nextId += 1;
  return {
    id: `del_${String(nextId).padStart(3, '0')}`,
    fromApproverId: from,
    toApproverId: to,
    startsAt: hoursFromNow(-24),
    endsAt: hoursFromNow(24),
    roles: null,
    actionTypes: null,
    revokedAt: null,
    ...scope,
  };
}

const payment: DelegationContext = { at: NOW, actionType: 'payments.transfer', viaRole: 'finance' };
const everyoneActive = () => true;
const activeExcept =
  (...inactive: string[]) =>
  (id: string) =>
    !inactive.includes(id);

describe('resolveDelegate', () => {
  it('should keep the approver when nobody is delegated to', () => {
    expect(resolveDelegate('alice', payment, [], everyoneActive)).toEqual({ approverId: 'alice', onBehalfOf: null, path: ['alice'] });
  });

  it('should hand the request to the delegate, on behalf of the approver', () => {
    const rules = [delegation('alice', 'bob')];
    expect(resolveDelegate('alice', payment, rules, everyoneActive)).toEqual({
      approverId: 'bob',
      onBehalfOf: 'alice',
      path: ['alice', 'bob'],
    });
  });

  it("should ignore other approvers' delegations", () => {
    const rules = [delegation('carol', 'bob')];
    expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
  });

  it('should follow a chain of delegations to its end, on behalf of the first approver', () => {
    const rules = [delegation('alice', 'bob'), delegation('bob', 'carol'), delegation('carol', 'dan')];
    expect(resolveDelegate('alice', payment, rules, everyoneActive)).toEqual({
      approverId: 'dan',
      onBehalfOf: 'alice',
      path: ['alice', 'bob', 'carol', 'dan'],
    });
  });

  describe('time window', () => {
    it('should apply from the moment it starts', () => {
      const rules = [delegation('alice', 'bob', { startsAt: NOW })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should not apply before it starts', () => {
      const rules = [delegation('alice', 'bob', { startsAt: hoursFromNow(1) })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should no longer apply at the moment it ends', () => {
      const rules = [delegation('alice', 'bob', { endsAt: NOW })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should apply without end when it has no end date', () => {
      const rules = [delegation('alice', 'bob', { endsAt: null })];
      const nextYear = { ...payment, at: hoursFromNow(24 * 365) };
      expect(resolveDelegate('alice', nextYear, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should not apply once revoked', () => {
      const rules = [delegation('alice', 'bob', { revokedAt: hoursFromNow(-1) })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should still apply at a time before its revocation, as when replaying history', () => {
      const rules = [delegation('alice', 'bob', { revokedAt: hoursFromNow(1) })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('bob');
    });
  });

  describe('scope', () => {
    it('should apply a role-scoped delegation to requests that came through that role', () => {
      const rules = [delegation('alice', 'bob', { roles: ['finance', 'audit'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should not apply a role-scoped delegation to requests that came through another role', () => {
      const rules = [delegation('alice', 'bob', { roles: ['compliance'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should not apply a role-scoped delegation when the chain names the approver directly', () => {
      const rules = [delegation('alice', 'bob', { roles: ['finance'] })];
      const named = { ...payment, viaRole: null };
      expect(resolveDelegate('alice', named, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should apply an unscoped delegation when the chain names the approver directly', () => {
      const rules = [delegation('alice', 'bob')];
      const named = { ...payment, viaRole: null };
      expect(resolveDelegate('alice', named, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should apply to an action type listed exactly', () => {
      const rules = [delegation('alice', 'bob', { actionTypes: ['payments.refund', 'payments.transfer'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should apply to action types under a prefix pattern', () => {
      const rules = [delegation('alice', 'bob', { actionTypes: ['payments.*'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('bob');
    });

    it('should not apply to other action types', () => {
      const rules = [delegation('alice', 'bob', { actionTypes: ['payments.refund', 'crm.*'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should carry the role that brought the request in along the chain', () => {
      const rules = [delegation('alice', 'bob'), delegation('bob', 'carol', { roles: ['finance'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('carol');
      expect(resolveDelegate('alice', { ...payment, viaRole: 'compliance' }, rules, everyoneActive).approverId).toBe('bob');
    });
  });

  describe('several delegations at once', () => {
    it('should prefer a delegation for the exact action type over a prefix and over an unscoped one', () => {
      const rules = [
        delegation('alice', 'general'),
        delegation('alice', 'payments-desk', { actionTypes: ['payments.*'] }),
        delegation('alice', 'transfers-desk', { actionTypes: ['payments.transfer'] }),
      ];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('transfers-desk');
      expect(resolveDelegate('alice', { ...payment, actionType: 'payments.refund' }, rules, everyoneActive).approverId).toBe(
        'payments-desk',
      );
      expect(resolveDelegate('alice', { ...payment, actionType: 'crm.export' }, rules, everyoneActive).approverId).toBe('general');
    });

    it('should prefer the longer of two matching prefixes', () => {
      const rules = [
        delegation('alice', 'payments-desk', { actionTypes: ['payments.*'] }),
        delegation('alice', 'wires-desk', { actionTypes: ['payments.wire.*'] }),
      ];
      const wire = { ...payment, actionType: 'payments.wire.international' };
      expect(resolveDelegate('alice', wire, rules, everyoneActive).approverId).toBe('wires-desk');
    });

    it('should prefer a role-scoped delegation over an unscoped one', () => {
      const rules = [delegation('alice', 'general'), delegation('alice', 'finance-deputy', { roles: ['finance'] })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('finance-deputy');
    });

    it('should prefer the delegation that started last when they are equally specific', () => {
      const rules = [
        delegation('alice', 'older', { startsAt: hoursFromNow(-48) }),
        delegation('alice', 'newer', { startsAt: hoursFromNow(-2) }),
      ];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('newer');
      expect(resolveDelegate('alice', payment, [...rules].reverse(), everyoneActive).approverId).toBe('newer');
    });

    it('should choose the same delegation whatever order they are stored in', () => {
      const startsAt = hoursFromNow(-2);
      const rules = [delegation('alice', 'first', { startsAt }), delegation('alice', 'second', { startsAt })];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('first');
      expect(resolveDelegate('alice', payment, [...rules].reverse(), everyoneActive).approverId).toBe('first');
    });
  });

  describe('cycles', () => {
    it('should fall back to the original approver when delegations go round in a circle', () => {
      const rules = [delegation('alice', 'bob'), delegation('bob', 'carol'), delegation('carol', 'alice')];
      expect(resolveDelegate('alice', payment, rules, everyoneActive)).toEqual({
        approverId: 'alice',
        onBehalfOf: null,
        path: ['alice'],
      });
    });

    it('should fall back to the original approver when the circle does not pass through them', () => {
      const rules = [delegation('alice', 'bob'), delegation('bob', 'carol'), delegation('carol', 'bob')];
      expect(resolveDelegate('alice', payment, rules, everyoneActive).approverId).toBe('alice');
    });

    it('should fall back to the original approver who delegated to themselves', () => {
      expect(resolveDelegate('alice', payment, [delegation('alice', 'alice')], everyoneActive)).toEqual({
        approverId: 'alice',
        onBehalfOf: null,
        path: ['alice'],
      });
    });
  });

  describe('inactive delegates', () => {
    it('should keep the request with the approver when their delegate is not active', () => {
      const rules = [delegation('alice', 'bob')];
      expect(resolveDelegate('alice', payment, rules, activeExcept('bob'))).toEqual({
        approverId: 'alice',
        onBehalfOf: null,
        path: ['alice'],
      });
    });

    it('should stop at the last active person on the path', () => {
      const rules = [delegation('alice', 'bob'), delegation('bob', 'carol'), delegation('carol', 'dan')];
      expect(resolveDelegate('alice', payment, rules, activeExcept('carol'))).toEqual({
        approverId: 'bob',
        onBehalfOf: 'alice',
        path: ['alice', 'bob'],
      });
    });

    it('should not let an inactive delegate pass the request further on', () => {
      const rules = [delegation('alice', 'bob'), delegation('bob', 'carol')];
      expect(resolveDelegate('alice', payment, rules, activeExcept('bob')).approverId).toBe('alice');
    });
  });
});

describe('matchesActionType', () => {
  it.each([
    ['payments.transfer', 'payments.transfer', true],
    ['payments.transfer', 'payments.transfers', false],
    ['payments.*', 'payments.transfer', true],
    ['payments.*', 'payments.wire.international', true],
    ['payments.*', 'payments', false],
    ['payments.*', 'paymentsx.transfer', false],
    ['*', 'anything.at.all', true],
  ])('should judge that %s covers %s: %s', (pattern, actionType, expected) => {
    expect(matchesActionType(pattern, actionType)).toBe(expected);
  });
});
