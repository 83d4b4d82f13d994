import { describe, expect, it } from 'vitest';
import type { ApproverRef, Assignee, LevelSpec } from '../escalation/levels.js';
import type { DelegationRule } from './resolve.js';
import { diffAssignees, planReassignment, sameAssignees, type HeldAssignment, type WaitingRequest } from './reassignment-plan.js';

const NOW = new Date('2025-06-10T12:00:00.000Z');
const HOUR = 3_600_000;

const approver = (id: string, roles: string[], active = true): ApproverRef => ({ id, name: id, roles, active });
const directory: ApproverRef[] = [
  approver('fiona', ['finance']),
  approver('frank', ['finance']),
  approver('dora', ['ops']),
  approver('olga', ['finance']), // owns the agent of these requests
];

function delegation(from: string, to: string, scope: Partial<DelegationRule> = {}): DelegationRule {
  return { id: `del_${from}_${to}`, fromApproverId: from, toApproverId: to, startsAt: new Date(NOW.getTime() - HOUR), endsAt: null, roles: null, actionTypes: null, revokedAt: null, ...scope };
}

const held = (approverId: string, onBehalfOf: string | null = null, groupId: string | null = null): HeldAssignment => ({
  approverId, onBehalfOf, viaRole: 'finance', assignmentId: `a_${approverId}`, groupId, createdAt: new Date(NOW.getTime() - HOUR),
});

const financeLevel: LevelSpec = { approvers: { roles: ['finance'] }, timeoutSeconds: 900 };

function waiting(assigned: HeldAssignment[], more: Partial<WaitingRequest> = {}): WaitingRequest {
  return {
    id: 'req_1', agentId: 'agent_1', type: 'payments.transfer', levelNumber: 1, level: financeLevel, deadline: null,
    ownerId: 'olga', assigned, voters: [], votedSeats: new Set(), ...more,
  };
}

const seat = ({ approverId, onBehalfOf }: Assignee) => ({ approverId, onBehalfOf });

describe('planning the reassignment of pending requests when a delegation changes', () => {
  it('hands a started delegation’s request from the delegator to the delegate, on the delegator’s behalf', () => {
    const started = delegation('fiona', 'dora');
    const plan = planReassignment(directory, [started], started, NOW)(waiting([held('fiona'), held('frank')]));
    expect(plan?.ended.map(seat)).toEqual([{ approverId: 'fiona', onBehalfOf: null }]);
    expect(plan?.started.map(seat)).toEqual([{ approverId: 'dora', onBehalfOf: 'fiona' }]);
    expect(plan).toMatchObject({ gained: ['dora'], lost: ['fiona'], queueChanged: ['fiona', 'dora'] });
  });

  it('hands the request back to the delegator when the delegation ends or is revoked', () => {
    const ended = delegation('fiona', 'dora', { revokedAt: NOW });
    // The delegations in force no longer hold it; the plan is made for it all the same.
    const plan = planReassignment(directory, [], ended, NOW)(waiting([held('dora', 'fiona'), held('frank')]));
    expect(plan?.ended.map(seat)).toEqual([{ approverId: 'dora', onBehalfOf: 'fiona' }]);
    expect(plan?.started.map(seat)).toEqual([{ approverId: 'fiona', onBehalfOf: null }]);
    expect(plan).toMatchObject({ gained: ['fiona'], lost: ['dora'] });
  });

  it('leaves a request alone when the delegation makes no difference to it (out of its scope)', () => {
    const onlyRefunds = delegation('fiona', 'dora', { actionTypes: ['refunds.*'] });
    expect(planReassignment(directory, [onlyRefunds], onlyRefunds, NOW)(waiting([held('fiona'), held('frank')]))).toBeNull();
  });

  it('does not touch a request whose assignees differ for another reason than this delegation', () => {
    // frank joined the role after the request was assigned: not this delegation's business.
    const elsewhere = delegation('dora', 'fiona');
    expect(planReassignment(directory, [elsewhere], elsewhere, NOW)(waiting([held('fiona')]))).toBeNull();
  });

  it('never hands a request to the agent’s owner, so a delegation to the owner moves nothing', () => {
    const toOwner = delegation('fiona', 'olga');
    expect(planReassignment(directory, [toOwner], toOwner, NOW)(waiting([held('fiona'), held('frank')]))).toBeNull();
  });

  it('keeps a delegator on the request when their delegate already voted on it', () => {
    const toVoter = delegation('fiona', 'frank');
    const request = waiting([held('fiona')], { voters: ['frank'], votedSeats: new Set(['frank']) });
    expect(planReassignment(directory, [toVoter], toVoter, NOW)(request)).toBeNull();
  });

  it('ends a member’s part of a group assignment as that member, keeping the group id', () => {
    const started = delegation('fiona', 'dora');
    const plan = planReassignment(directory, [started], started, NOW)(waiting([held('fiona', null, 'group_1'), held('frank', null, 'group_1')]));
    expect(plan?.ended).toEqual([held('fiona', null, 'group_1')]);
  });
});

describe('diffing assignees', () => {
  it('never takes a request away from everyone', () => {
    expect(diffAssignees([held('fiona')], [])).toBeNull();
  });

  it('changes nothing when the same people hold the same seats', () => {
    expect(diffAssignees([held('fiona'), held('frank')], [{ approverId: 'frank', onBehalfOf: null, viaRole: 'finance' }, { approverId: 'fiona', onBehalfOf: null, viaRole: 'finance' }])).toBeNull();
  });

  it('counts a person who now acts for someone else as neither gained nor lost', () => {
    const plan = diffAssignees([held('dora')], [{ approverId: 'dora', onBehalfOf: 'fiona', viaRole: 'finance' }]);
    expect(plan).toMatchObject({ gained: [], lost: [], queueChanged: [] });
    expect(plan?.started.map(seat)).toEqual([{ approverId: 'dora', onBehalfOf: 'fiona' }]);
  });

  it('tells seats apart by whom they are held for', () => {
    expect(sameAssignees([{ approverId: 'dora', onBehalfOf: null, viaRole: null }], [{ approverId: 'dora', onBehalfOf: 'fiona', viaRole: null }])).toBe(false);
  });
});
