import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../audit/chain.js';
import { notificationIntents } from './intents.js';

function event(seq: number, kind: string, data: unknown, actor: { type: string; id: string | null }): AuditEventRecord {
  return { seq, at: new Date('2026-12-04T10:00:00Z'), kind, subjectType: 'ACTION', subjectId: 'req-1', actorType: actor.type, actorId: actor.id, data, prevHash: '', hash: '' };
}

describe('notificationIntents when an approver modifies the payload under a quorum', () => {
  it('tells the approvers whose approval was voided that the request waits for them again', () => {
    const ben = { type: 'APPROVER', id: 'ben' };
    const intents = notificationIntents([
      event(1, 'ACTION_DECIDED', { verdict: 'APPROVE', candidate: 1, approvals: 1, requiredApprovals: 2 }, ben),
      event(2, 'PAYLOAD_MODIFIED', { candidate: 1, escalationLevel: 1, approvalsVoided: ['ann'], requeued: ['ann'] }, ben),
    ]);
    expect(intents).toMatchObject([{ event: 'ASSIGNED', approverIds: ['ann'], actorApproverId: 'ben', detail: { assignment: 'APPROVAL', level: 1, cause: 'PAYLOAD_MODIFIED' } }]);
  });

  it('tells nobody new when nobody had approved before', () => {
    expect(notificationIntents([event(1, 'PAYLOAD_MODIFIED', { candidate: 1, escalationLevel: 1, approvalsVoided: [] }, { type: 'APPROVER', id: 'ben' })])).toEqual([]);
  });
});

describe('notificationIntents when the policy blocks a modified payload', () => {
  it('says the policy denied it, not the approver who approved the modification', () => {
    const ben = { type: 'APPROVER', id: 'ben' };
    const intents = notificationIntents([
      event(1, 'ACTION_DECIDED', { verdict: 'APPROVE', candidate: 1 }, ben),
      event(2, 'PAYLOAD_MODIFIED', { candidate: 1, blocked: true, approvalsVoided: [] }, ben),
      event(3, 'ACTION_DENIED', { status: 'DENIED', reason: 'BLOCKED_BY_POLICY', detail: 'The payload ben approved was evaluated again: policy payments blocks it.' }, { type: 'SYSTEM', id: null }),
    ]);
    expect(intents).toMatchObject([{
      event: 'DECIDED', actorApproverId: null,
      detail: { decidedBy: { type: 'SYSTEM', id: null }, verdict: null, comment: 'BLOCKED_BY_POLICY' },
    }]);
  });
});
