import { describe, expect, it, vi } from 'vitest';
import type { DelegationRule } from '../delegation/resolve.js';
import {
  nextLevel,
  reachableVoters,
  resolveLevelAssignees,
  type ApproverRef,
  type Assignee,
  type AssignmentContext,
  type EscalationStep,
  type LevelSpec,
} from './levels.js';

const NOW = new Date('2025-06-10T12:00:00.000Z');

const approver = (id: string, roles: string[], active = true): ApproverRef => ({ id, name: id, roles, active });

const directory: ApproverRef[] = [
  approver('fiona', ['finance']),
  approver('frank', ['finance', 'finance-lead']),
  approver('lena', ['finance-lead']),
  approver('cfo', ['exec']),
  approver('olga', ['finance']), // owns the agent in these tests
  approver('retired', ['finance'], false),
  approver('carl', ['compliance']),
];

const ctx: AssignmentContext = { at: NOW, actionType: 'payments.transfer', excludeApproverIds: [] };
const ownedByOlga: AssignmentContext = { ...ctx, excludeApproverIds: ['olga'] };

const level = (approvers: LevelSpec['approvers']): LevelSpec => ({ approvers, timeoutSeconds: 900 });

function delegation(from: string, to: string, scope: Partial<DelegationRule> = {}): DelegationRule {
  return {
    id: `del_${from}_${to}`,
    fromApproverId: from,
    toApproverId: to,
    startsAt: new Date(NOW.getTime() - 3_600_000),
    endsAt: null,
    roles: null,
    actionTypes: null,
    revokedAt: null,
    ...scope,
  };
}

const ids = (assignees: Assignee[]) => assignees.map((a) => a.approverId);

describe('resolveLevelAssignees', () => {
  it('should assign every active holder of the role, for that role', () => {
    expect(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, [])).toEqual([
      { approverId: 'fiona', onBehalfOf: null, viaRole: 'finance' },
      { approverId: 'frank', onBehalfOf: null, viaRole: 'finance' },
      { approverId: 'olga', onBehalfOf: null, viaRole: 'finance' },
    ]);
  });

  it('should assign the holders of any of several roles', () => {
    expect(ids(resolveLevelAssignees(level({ roles: ['finance-lead', 'compliance'] }), directory, ctx, []))).toEqual([
      'frank',
      'lena',
      'carl',
    ]);
  });

  it('should assign the holders of both role and roles when a level gives both', () => {
    expect(ids(resolveLevelAssignees(level({ role: 'exec', roles: ['compliance'] }), directory, ctx, []))).toEqual(['cfo', 'carl']);
  });

  it('should assign people named in the level, as named rather than through a role', () => {
    expect(resolveLevelAssignees(level({ names: ['cfo'] }), directory, ctx, [])).toEqual([
      { approverId: 'cfo', onBehalfOf: null, viaRole: null },
    ]);
  });

  it('should record the first of the level roles a person holds', () => {
    const assignees = resolveLevelAssignees(level({ roles: ['finance-lead', 'finance'] }), directory, ctx, []);
    expect(assignees.find((a) => a.approverId === 'frank')).toEqual({ approverId: 'frank', onBehalfOf: null, viaRole: 'finance-lead' });
    expect(assignees.find((a) => a.approverId === 'fiona')?.viaRole).toBe('finance');
  });

  it('should leave out approvers who are not active', () => {
    expect(ids(resolveLevelAssignees(level({ role: 'finance', names: ['retired'] }), directory, ctx, []))).not.toContain('retired');
  });

  it('should assign nobody when no one holds the role', () => {
    expect(resolveLevelAssignees(level({ role: 'treasury', names: ['nobody-by-that-name'] }), directory, ctx, [])).toEqual([]);
  });

  it('should leave out the excluded owner of the agent', () => {
    expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ownedByOlga, []))).toEqual(['fiona', 'frank']);
  });

  it('should assign one person once even when several roles and their name bring them in', () => {
    const assignees = resolveLevelAssignees(level({ role: 'finance', roles: ['finance-lead'], names: ['frank'] }), directory, ctx, []);
    expect(ids(assignees).filter((id) => id === 'frank')).toHaveLength(1);
    expect(assignees.find((a) => a.approverId === 'frank')?.viaRole).toBeNull();
  });

  describe('with delegations', () => {
    it('should assign the delegate on behalf of the approver who delegated', () => {
      const rules = [delegation('fiona', 'carl')];
      expect(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules)).toEqual([
        { approverId: 'carl', onBehalfOf: 'fiona', viaRole: 'finance' },
        { approverId: 'frank', onBehalfOf: null, viaRole: 'finance' },
        { approverId: 'olga', onBehalfOf: null, viaRole: 'finance' },
      ]);
    });

    it('should not move a named approver with a delegation scoped to a role', () => {
      const rules = [delegation('frank', 'carl', { roles: ['finance'] })];
      expect(ids(resolveLevelAssignees(level({ names: ['frank'] }), directory, ctx, rules))).toEqual(['frank']);
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules))).toContain('carl');
    });

    it('should give one vote to a person two approvers delegated to', () => {
      const rules = [delegation('fiona', 'carl'), delegation('frank', 'carl')];
      const assignees = resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules);
      expect(assignees).toEqual([
        { approverId: 'carl', onBehalfOf: 'fiona', viaRole: 'finance' },
        { approverId: 'olga', onBehalfOf: null, viaRole: 'finance' },
      ]);
    });

    it('should give one vote, in their own right, to a delegate who is also assigned themselves', () => {
      const rules = [delegation('fiona', 'frank')];
      const assignees = resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules);
      expect(assignees).toEqual([
        { approverId: 'frank', onBehalfOf: null, viaRole: 'finance' },
        { approverId: 'olga', onBehalfOf: null, viaRole: 'finance' },
      ]);
    });

    it('should not let the excluded owner decide as anyone’s delegate: the delegator keeps the request', () => {
      const rules = [delegation('fiona', 'olga')];
      expect(resolveLevelAssignees(level({ role: 'finance' }), directory, ownedByOlga, rules)).toEqual([
        { approverId: 'fiona', onBehalfOf: null, viaRole: 'finance' },
        { approverId: 'frank', onBehalfOf: null, viaRole: 'finance' },
      ]);
    });

    it('should not let anyone decide on behalf of the excluded owner', () => {
      const rules = [delegation('olga', 'carl')];
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ownedByOlga, rules))).toEqual(['fiona', 'frank']);
    });

    it('should keep the request with the approver when their delegate is not active', () => {
      const rules = [delegation('fiona', 'retired')];
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules))).toEqual(['fiona', 'frank', 'olga']);
    });

    it('should keep the request with the approver when their delegate is unknown', () => {
      const rules = [delegation('fiona', 'someone-deleted')];
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules))).toContain('fiona');
    });

    it('should apply a delegation only to the action types it covers', () => {
      const rules = [delegation('fiona', 'carl', { actionTypes: ['crm.*'] })];
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, ctx, rules))).toContain('fiona');
      const crm = { ...ctx, actionType: 'crm.export' };
      expect(ids(resolveLevelAssignees(level({ role: 'finance' }), directory, crm, rules))).toContain('carl');
    });
  });
});

describe('nextLevel', () => {
  const finance = level({ role: 'finance' });
  const leads = level({ role: 'finance-lead' });
  const cfo = level({ names: ['cfo'] });
  const somebody = (id: string): Assignee[] => [{ approverId: id, onBehalfOf: null, viaRole: null }];
  const staffed = new Map<LevelSpec, Assignee[]>([
    [finance, somebody('fiona')],
    [leads, somebody('lena')],
    [cfo, somebody('cfo')],
  ]);
  const resolveStaffed = (l: LevelSpec) => staffed.get(l) ?? [];

  it('should start at the first level', () => {
    expect(nextLevel({ levels: [finance, leads, cfo] }, -1, resolveStaffed)).toEqual({
      index: 0,
      round: 0,
      level: finance,
      assignees: somebody('fiona'),
    });
  });

  it('should escalate to the level after the one that timed out', () => {
    expect(nextLevel({ levels: [finance, leads, cfo] }, 0, resolveStaffed)).toMatchObject({ index: 1, round: 0, level: leads });
  });

  it('should skip a level with nobody available', () => {
    const resolve = (l: LevelSpec) => (l === leads ? [] : resolveStaffed(l));
    expect(nextLevel({ levels: [finance, leads, cfo] }, 0, resolve)).toMatchObject({ index: 2, level: cfo, assignees: somebody('cfo') });
  });

  it('should leave nothing after the last level, so the request expires', () => {
    expect(nextLevel({ levels: [finance, leads, cfo] }, 2, resolveStaffed)).toBeNull();
  });

  it('should leave nothing when no level has anyone available', () => {
    expect(nextLevel({ levels: [finance, leads, cfo], repeat: 2 }, -1, () => [])).toBeNull();
  });

  it('should leave nothing for a chain without levels', () => {
    expect(nextLevel({ levels: [], repeat: 3 }, -1, resolveStaffed)).toBeNull();
  });

  it('should run the whole chain again for each repeat, then expire', () => {
    const chain = { levels: [finance, leads], repeat: 1 };
    const steps: Array<Omit<EscalationStep, 'assignees'>> = [];
    for (let step = nextLevel(chain, -1, resolveStaffed); step !== null; step = nextLevel(chain, step.index, resolveStaffed)) {
      steps.push({ index: step.index, round: step.round, level: step.level });
    }
    expect(steps).toEqual([
      { index: 0, round: 0, level: finance },
      { index: 1, round: 0, level: leads },
      { index: 2, round: 1, level: finance },
      { index: 3, round: 1, level: leads },
    ]);
  });

  it('should skip empty levels across rounds', () => {
    const resolve = (l: LevelSpec) => (l === finance ? [] : resolveStaffed(l));
    expect(nextLevel({ levels: [finance, leads], repeat: 1 }, 1, resolve)).toMatchObject({ index: 3, round: 1, level: leads });
  });

  it('should resolve only the levels it needs to look at', () => {
    const resolve = vi.fn(resolveStaffed);
    nextLevel({ levels: [finance, leads, cfo], repeat: 5 }, 0, resolve);
    expect(resolve.mock.calls).toEqual([[leads]]);
  });

  it.each([
    [-2, 0],
    [0.5, 0],
    [-1, -1],
    [-1, 1.5],
  ])('should refuse fromIndex %s with repeat %s', (fromIndex, repeat) => {
    expect(() => nextLevel({ levels: [finance], repeat }, fromIndex, resolveStaffed)).toThrow(RangeError);
  });
});

describe('reachableVoters', () => {
  const chain = { levels: [level({ role: 'finance' }), level({ role: 'finance-lead' }), level({ names: ['cfo'] })] };

  it('counts each person once across all levels of the chain, active ones only', () => {
    // fiona, frank (both levels), olga, lena, cfo; not the inactive one.
    expect(reachableVoters(chain, directory, ctx)).toBe(5);
  });

  it("leaves out the agent's owner, who may never vote on its requests", () => {
    expect(reachableVoters(chain, directory, ownedByOlga)).toBe(4);
    expect(reachableVoters({ levels: [level({ role: 'finance' })] }, [approver('olga', ['finance']), approver('bo', ['finance'])], ownedByOlga)).toBe(1);
  });
});
