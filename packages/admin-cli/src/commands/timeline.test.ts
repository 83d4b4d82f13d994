import { describe, expect, it } from 'vitest';
import { actorOf, describeEvent } from './timeline.js';

const names = new Map([
  ['ag-1', 'invoice-bot'],
  ['ap-bob', 'bob'],
  ['ap-carol', 'carol'],
  ['ap-alice', 'alice'],
]);

describe('the timeline in words', () => {
  it('names the agent and the people instead of their ids', () => {
    expect(actorOf({ actorType: 'AGENT', actorId: 'ag-1' }, names)).toBe('invoice-bot');
    expect(actorOf({ actorType: 'APPROVER', actorId: 'ap-bob' }, names)).toBe('bob');
    expect(actorOf({ actorType: 'SYSTEM', actorId: null }, names)).toBe('Countersign');
    expect(actorOf({ actorType: 'APPROVER', actorId: '0123456789abcdef' }, names)).toBe('01234567…');
  });

  it('says what was asked, who it was sent to, and how each person voted', () => {
    expect(describeEvent({ kind: 'ACTION_SUBMITTED', data: { mode: 'SYNC_APPROVAL', policy: 'payments', risk: { score: 95, level: 'CRITICAL' }, governanceVersion: 1, revisionOf: null } }, names))
      .toBe('asked: risk 95 CRITICAL, SYNC_APPROVAL by policy payments, governance version 1');
    expect(describeEvent({
      kind: 'ACTION_ASSIGNED',
      data: { kind: 'APPROVAL', chain: 'finance', level: 1, deadline: '2026-12-04T10:15:00.000Z', groups: [{ viaRole: 'finance', size: 40 }],
        assignees: [{ approverId: 'ap-bob', onBehalfOf: null }, { approverId: 'ap-carol', onBehalfOf: 'ap-alice' }] },
    }, names)).toBe('sent to bob, carol (for alice) and 40 holders of role finance to approve (chain finance level 1), until 2026-12-04 10:15:00Z');
    expect(describeEvent({ kind: 'ACTION_DECIDED', data: { verdict: 'APPROVE', approvals: 1, requiredApprovals: 2, comment: 'matches INV-42', onBehalfOf: null } }, names))
      .toBe('approved (1 of 2 approvals): "matches INV-42"');
    expect(describeEvent({ kind: 'ACTION_DECIDED', data: { verdict: 'DENY', comment: 'no PO', onBehalfOf: 'ap-alice' } }, names)).toBe('denied for alice: "no PO"');
    expect(describeEvent({ kind: 'ACTION_EXPIRED', data: { detail: 'Level 2 of chain finance timed out and no level is left: the action must not run.' } }, names))
      .toBe('Level 2 of chain finance timed out and no level is left: the action must not run.');
  });

  it('never prints raw event data, even for a kind it does not know', () => {
    expect(describeEvent({ kind: 'SOMETHING_NEW', data: { secret: 'x' } }, names)).toBe('something new');
  });
});
