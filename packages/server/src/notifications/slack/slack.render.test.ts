import { describe, expect, it } from 'vitest';
import type { ActionFacts } from '../render.js';
import { NotificationEvent } from '../webhook.entity.js';
import { payloadHash } from '../../receipts/receipt.js';
import { SlackButton, approveValue, readButtonValue, renderDecidedMessage, renderDirectMessage, renderEscalatedAwayMessage, whyNotInSlack } from './slack.render.js';

const action: ActionFacts = {
  id: '00000000-0000-4000-8000-000000000001', type: 'payments.transfer', summary: 'Pay <!channel> & friends', status: 'PENDING', statusReason: null, mode: 'SYNC_APPROVAL',
  risk: { score: 70, level: 'HIGH' }, agent: { id: 'a', name: 'billing-bot' }, amount: { value: 900, currency: 'USD' }, escalationLevel: 1,
  deadline: new Date('2026-12-05T10:00:00Z'), requiredApprovals: 1,
};
const url = 'https://cs.example.com/actions/00000000-0000-4000-8000-000000000001';

function buttonIds(blocks: unknown[]): string[] {
  return (blocks as { type: string; elements?: { action_id?: string }[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => e.action_id!));
}

describe('Slack direct messages', () => {
  it('a pending request for one approval, below CRITICAL, gets Approve (carrying the request id and the candidate it was written for), Deny and Open', () => {
    const hash = payloadHash({ to: 'ACME', amount: 900 });
    const message = renderDirectMessage(NotificationEvent.ASSIGNED, action, { assignment: 'APPROVAL' }, 'fiona', url, hash);
    expect(buttonIds(message.blocks)).toEqual([SlackButton.APPROVE, SlackButton.DENY, SlackButton.OPEN]);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain(`"action_id":"${SlackButton.APPROVE}","style":"primary","text":{"type":"plain_text","text":"Approve"},"value":"${action.id}:${hash}"`);
    expect(json).toContain(`"action_id":"${SlackButton.DENY}","style":"danger","text":{"type":"plain_text","text":"Deny"},"value":"${action.id}"`);
    // Agent-written text cannot mention @channel or forge links.
    expect(json).not.toContain('<!channel>');
    expect(message.text).toContain(`<${url}|Open>`);
  });

  it('CRITICAL, a quorum, or a review: only Open, and why', () => {
    for (const [facts, detail, why] of [
      [{ ...action, risk: { score: 95, level: 'CRITICAL' } }, { assignment: 'APPROVAL' }, 'CRITICAL'],
      [{ ...action, requiredApprovals: 2 }, { assignment: 'APPROVAL' }, 'needs 2 approvals'],
      [{ ...action, status: 'APPROVED' }, { assignment: 'REVIEW' }, 'waits for your review'],
    ] as const) {
      const message = renderDirectMessage(NotificationEvent.ASSIGNED, facts, detail, 'fiona', url);
      expect(buttonIds(message.blocks)).toEqual([SlackButton.OPEN]);
      expect(JSON.stringify(message.blocks)).toContain(why);
    }
  });

  it('whyNotInSlack refuses what is not pending', () => {
    expect(whyNotInSlack({ status: 'PENDING', riskLevel: 'HIGH', requiredApprovals: 1 })).toBeNull();
    expect(whyNotInSlack({ status: 'DENIED', riskLevel: 'HIGH', requiredApprovals: 1 })).toContain('already denied');
  });

  it('a decided message names who decided and keeps only Open', () => {
    const message = renderDecidedMessage({ ...action, status: 'APPROVED' }, { decidedBy: { type: 'APPROVER', id: 'x' } }, 'fiona', url);
    expect(message.text).toMatch(/^Approved by fiona: /);
    expect(buttonIds(message.blocks)).toEqual([SlackButton.OPEN]);
    const expired = renderDecidedMessage({ ...action, status: 'EXPIRED' }, { decidedBy: { type: 'SYSTEM', id: null } }, 'Countersign', url);
    expect(expired.text).toMatch(/^Expired \(Countersign\): /);
  });

  it('an earlier level\'s message, once the request escalated past it, says so and keeps only Open', () => {
    const message = renderEscalatedAwayMessage(action, { fromLevel: 1, toLevel: 2 }, url);
    expect(message.text).toMatch(/^Escalated to level 2 — no longer waiting for you: /);
    expect(message.text).toContain(url);
    expect(buttonIds(message.blocks)).toEqual([SlackButton.OPEN]);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Escalated to level 2 — no longer waiting for you' } });
  });
});

describe('button values', () => {
  it('an Approve value reads back as the request and the candidate hash it was written for', () => {
    const hash = payloadHash({ amount: 1 });
    expect(readButtonValue(approveValue(action.id, hash))).toEqual({ actionId: action.id, expectedPayloadHash: hash });
  });

  it('a value with only the id (Deny, or a message posted before Approve carried a hash) names no payload', () => {
    expect(approveValue(action.id, null)).toBe(action.id);
    expect(readButtonValue(action.id)).toEqual({ actionId: action.id, expectedPayloadHash: null });
  });
});
