import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../audit/chain.js';
import { notificationIntents } from './intents.js';

let seq = 0;
function event(kind: string, data: unknown, actor: { type?: string; id?: string | null } = {}, subjectId = 'req-1'): AuditEventRecord {
  seq += 1;
  return {
    seq, at: new Date('2026-11-24T10:00:00Z'), kind, subjectType: 'ACTION', subjectId,
    actorType: actor.type ?? 'SYSTEM', actorId: actor.id ?? null, data, prevHash: '', hash: '',
  };
}

describe('notificationIntents', () => {
  it('tells the assignees of a new SYNC request that it waits for them', () => {
    const intents = notificationIntents([
      event('ACTION_SUBMITTED', {}, { type: 'AGENT', id: 'agent-1' }),
      event('ACTION_ASSIGNED', { kind: 'APPROVAL', level: 1, assignees: [{ approverId: 'fiona', onBehalfOf: null, viaRole: 'finance' }, { approverId: 'gus', onBehalfOf: 'hal', viaRole: null }] }),
    ]);
    expect(intents).toMatchObject([{ event: 'ASSIGNED', actionId: 'req-1', approverIds: ['fiona', 'gus'], detail: { assignment: 'APPROVAL', level: 1 } }]);
  });

  it('tells reviewers about an ASYNC_REVIEW request, with no DECIDED for its automatic approval', () => {
    const intents = notificationIntents([
      event('ACTION_SUBMITTED', {}, { type: 'AGENT', id: 'agent-1' }),
      event('ACTION_ASSIGNED', { kind: 'REVIEW', level: 1, assignees: [{ approverId: 'fiona' }] }),
      event('ACTION_APPROVED', { mode: 'ASYNC_REVIEW' }),
    ]);
    expect(intents.map((i) => [i.event, i.detail.assignment])).toEqual([['ASSIGNED', 'REVIEW']]);
  });

  it('says nothing about requests that never waited for anyone (AUTO, BLOCK)', () => {
    expect(notificationIntents([event('ACTION_SUBMITTED', {}), event('ACTION_APPROVED', { mode: 'AUTO' })])).toEqual([]);
    expect(notificationIntents([event('ACTION_SUBMITTED', {}), event('ACTION_DENIED', { reason: 'BLOCKED_BY_POLICY' })])).toEqual([]);
  });

  it('tells the next level about an escalation and the current one about the coming timeout', () => {
    const [escalated] = notificationIntents([event('ESCALATED', { fromLevel: 1, toLevel: 2, assignees: [{ approverId: 'lars' }] })]);
    expect(escalated).toMatchObject({ event: 'ESCALATED', approverIds: ['lars'], detail: { fromLevel: 1, toLevel: 2 } });
    const [warning] = notificationIntents([event('ABOUT_TO_EXPIRE', { level: 2, assignees: ['lars', 'lars'] })]);
    expect(warning).toMatchObject({ event: 'ABOUT_TO_EXPIRE', approverIds: ['lars'] });
    // A level held by a group names its set, less the members whose own part ended.
    const [grouped] = notificationIntents([
      event('ABOUT_TO_EXPIRE', { level: 1, assignees: ['nina'], groups: [{ viaRole: 'desk', set: 'set-1', size: 40, excluded: ['otto'] }, { viaRole: 'ops', set: 'set-2', size: 20, excluded: [] }] }),
    ]);
    expect(grouped).toMatchObject({ approverIds: ['nina'], approverSets: ['set-1', 'set-2'], setExclusions: { 'set-1': ['otto'], 'set-2': [] } });
  });

  it('tells only the newly assigned when a delegation moves a request', () => {
    const intents = notificationIntents([
      event('ASSIGNEES_CHANGED', {
        cause: 'DELEGATION_STARTED', level: 1, ended: [{ approverId: 'fiona' }], started: [{ approverId: 'dana', onBehalfOf: 'fiona' }], gained: ['dana'], lost: ['fiona'],
      }),
    ]);
    expect(intents).toMatchObject([{ event: 'ASSIGNED', approverIds: ['dana'], detail: { cause: 'DELEGATION_STARTED' } }]);
    // Someone who already held the request and now also acts for the delegator is not told again.
    const again = notificationIntents([
      event('ASSIGNEES_CHANGED', { cause: 'DELEGATION_STARTED', level: 1, ended: [{ approverId: 'fiona' }], started: [{ approverId: 'gus', onBehalfOf: 'fiona' }], gained: [], lost: ['fiona'] }),
    ]);
    expect(again).toEqual([]);
  });

  it('broadcasts a break-glass approval to its reviewers and every admin channel, with the justification, and no DECIDED', () => {
    const deadline = new Date('2026-11-24T10:15:00Z');
    const intents = notificationIntents([
      event('ACTION_SUBMITTED', {}, { type: 'AGENT', id: 'agent-1' }),
      event('ACTION_ASSIGNED', { kind: 'REVIEW', level: 1, assignees: [{ approverId: 'fiona' }] }),
      event('ACTION_APPROVED', {}),
      event('BREAK_GLASS_USED', { justification: 'prod is down', level: 1, reviewDeadline: deadline, assignees: [{ approverId: 'fiona' }], groups: [{ set: 'set-1' }] }, { type: 'AGENT', id: 'agent-1' }),
    ]);
    expect(intents).toMatchObject([
      { event: 'ASSIGNED', detail: { assignment: 'REVIEW' } },
      { event: 'BREAK_GLASS', broadcast: true, approverIds: ['fiona'], approverSets: ['set-1'], actorApproverId: null, detail: { level: 1, breakGlass: { justification: 'prod is down', reviewDeadline: deadline.toISOString() } } },
    ]);
  });

  it('says when an escalation moves a review rather than an approval', () => {
    expect(notificationIntents([event('ESCALATED', { fromLevel: 1, toLevel: 2, kind: 'REVIEW', assignees: [{ approverId: 'lars' }] })])).toMatchObject([{ event: 'ESCALATED', detail: { toLevel: 2, assignment: 'REVIEW' } }]);
    expect(notificationIntents([event('ESCALATED', { fromLevel: 1, toLevel: 2, assignees: [{ approverId: 'lars' }] })])[0]!.detail).not.toHaveProperty('assignment');
  });

  it('sends one DECIDED when an approval reaches the quorum, naming the approver and their comment', () => {
    const intents = notificationIntents([
      event('ACTION_DECIDED', { verdict: 'APPROVE', comment: 'ok', approvals: 2, requiredApprovals: 2 }, { type: 'APPROVER', id: 'fiona' }),
      event('ACTION_APPROVED', {}, { type: 'APPROVER', id: 'fiona' }),
    ]);
    expect(intents).toMatchObject([{ event: 'DECIDED', approverIds: null, actorApproverId: 'fiona', detail: { decidedBy: { type: 'APPROVER', id: 'fiona' }, verdict: 'APPROVE', comment: 'ok' } }]);
  });

  it('sends nothing for an approval short of the quorum, and DECIDED for a denial or change request at once', () => {
    expect(notificationIntents([event('ACTION_DECIDED', { verdict: 'APPROVE', approvals: 1, requiredApprovals: 2 }, { type: 'APPROVER', id: 'fiona' })])).toEqual([]);
    expect(notificationIntents([event('ACTION_DECIDED', { verdict: 'DENY', comment: 'no' }, { type: 'APPROVER', id: 'fiona' })])).toMatchObject([{ event: 'DECIDED', detail: { verdict: 'DENY' } }]);
    expect(notificationIntents([event('ACTION_DECIDED', { verdict: 'REQUEST_CHANGES' }, { type: 'APPROVER', id: 'fiona' })])).toMatchObject([{ event: 'DECIDED' }]);
  });

  it('tells the assignees when a pending request expires or is cancelled', () => {
    expect(notificationIntents([event('ACTION_EXPIRED', { fromLevel: 3, detail: 'timed out' })])).toMatchObject([{ event: 'DECIDED', actorApproverId: null, detail: { decidedBy: { type: 'SYSTEM' }, comment: 'timed out' } }]);
    expect(notificationIntents([event('ACTION_CANCELLED', { reason: 'not needed' }, { type: 'AGENT', id: 'agent-1' })])).toMatchObject([{ event: 'DECIDED', detail: { decidedBy: { type: 'AGENT' }, comment: 'not needed' } }]);
  });

  it('ignores events about other subjects', () => {
    expect(notificationIntents([{ ...event('APPROVER_CREATED', {}), subjectType: 'APPROVER' }])).toEqual([]);
  });
});
