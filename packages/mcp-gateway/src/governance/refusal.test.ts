import { describe, expect, it } from 'vitest';
import { outcomeOf } from './outcome.js';
import { pendingText, refusalText } from './refusal.js';

const base = {
  id: 'a-1',
  statusReason: null,
  mode: 'SYNC_APPROVAL' as const,
  policy: null,
  chain: 'compliance',
  escalationLevel: 2,
  risk: { score: 70, level: 'HIGH' as const, factors: [] },
  decisions: [] as never[],
};
const carla = { id: 'p-1', name: 'Carla' };

describe('refusals written for the model', () => {
  it('says who denied it, at which level, with the comment, and not to retry', () => {
    const text = refusalText('files__write_file', {
      ...base,
      status: 'DENIED',
      decisions: [{ verdict: 'DENY', comment: 'Not on the shared drive.', modifiedPayload: null, at: '', approver: carla, onBehalfOf: null }] as never,
    });
    expect(text).toContain('DENIED by Carla at level 2 of the "compliance" escalation chain');
    expect(text).toContain('"Not on the shared drive."');
    expect(text).toContain('request a-1');
    expect(text).toMatch(/Do not retry/);
  });

  it('names the blocking policy when no one could allow it', () => {
    const text = refusalText('files__move_file', { ...base, status: 'DENIED', mode: 'BLOCK', policy: 'no-moves', statusReason: 'BLOCKED_BY_POLICY', chain: null });
    expect(text).toContain('BLOCKED by the governance policy "no-moves"');
    expect(text).toContain('HIGH (70/100)');
  });

  it('explains a denial no person made', () => {
    expect(refusalText('x__y', { ...base, status: 'DENIED', mode: 'SYNC_APPROVAL', statusReason: 'NO_ROUTE', chain: null })).toContain('no approver is responsible');
  });

  it('tells what to change, with the suggested arguments, when changes are requested', () => {
    const text = refusalText('files__write_file', {
      ...base,
      status: 'CHANGES_REQUESTED',
      decisions: [{ verdict: 'REQUEST_CHANGES', comment: 'Write to /drafts instead.', modifiedPayload: { path: '/drafts/a.txt' }, at: '', approver: carla, onBehalfOf: { id: 'p-2', name: 'Lars' } }] as never,
    });
    expect(text).toContain('Carla (for Lars) at level 2');
    expect(text).toContain('What to change: "Write to /drafts instead."');
    expect(text).toContain('{"path":"/drafts/a.txt"}');
    expect(text).toMatch(/call files__write_file again with arguments changed/);
  });

  it('says an expired request ran out of approvers', () => {
    expect(refusalText('x__y', { ...base, status: 'EXPIRED' })).toContain('EXPIRED: no approver decided before the last level of the "compliance" escalation chain timed out');
  });

  it('refuses to describe a request that was approved', () => {
    expect(() => refusalText('x__y', { ...base, status: 'APPROVED' })).toThrow();
  });

  it('names the request still pending when the wait limit passed', () => {
    const text = pendingText('files__write_file', { id: 'a-9', chain: 'compliance', escalationLevel: 1 }, 600_000);
    expect(text).toContain('request a-9 is still PENDING with the "compliance" approvers (level 1) after 10m');
    expect(text).toContain('same arguments');
  });
});

describe('the outcome of an upstream result', () => {
  it('is SUCCEEDED with the text, and FAILED when the tool reported an error', () => {
    expect(outcomeOf({ content: [{ type: 'text', text: 'Wrote /a' }] })).toEqual({ status: 'SUCCEEDED', detail: 'Wrote /a', result: { content: [{ type: 'text', text: 'Wrote /a' }] } });
    expect(outcomeOf({ content: [{ type: 'text', text: 'ENOENT' }], isError: true }).status).toBe('FAILED');
  });

  it('keeps only the kind of binary content and cuts long text', () => {
    const outcome = outcomeOf({ content: [{ type: 'image', data: 'A'.repeat(10_000), mimeType: 'image/png' }, { type: 'text', text: 'x'.repeat(10_000) }] });
    expect(outcome.result).toEqual({ content: [{ type: 'image', mimeType: 'image/png' }, { type: 'text', text: expect.stringMatching(/^x{3999}…$/) }] });
    expect(outcome.detail).toHaveLength(500);
  });
});
