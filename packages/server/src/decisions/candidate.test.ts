import { describe, expect, it } from 'vitest';
import { ActionStatus, Verdict } from '../shared/enums.js';
import { candidateAfter, countVote, standing, type Vote } from './quorum.js';

const submitted = { to: 'ACME', amount: 50_000 };
const approve = (approverId: string, modifiedPayload: unknown = null): Vote => ({ approverId, verdict: Verdict.APPROVE, modifiedPayload });

describe('countVote with modified payloads', () => {
  it('should make a modification the candidate, counted as its modifier’s approval only', () => {
    const result = countVote(submitted, [approve('alice')], approve('bob', { ...submitted, amount: 9_999_999 }), 2);
    expect(result).toMatchObject({
      ok: true, outcome: ActionStatus.PENDING, changed: true, voided: ['alice'],
      candidate: { payload: { to: 'ACME', amount: 9_999_999 }, round: 1, approvers: ['bob'] },
    });
  });

  it('should let someone whose approval no longer counts approve the new candidate, and then reach the quorum', () => {
    const votes = [approve('alice'), approve('bob', { ...submitted, amount: 40_000 })];
    const result = countVote(submitted, votes, approve('alice'), 2);
    expect(result).toMatchObject({ ok: true, outcome: ActionStatus.APPROVED, changed: false, voided: [], candidate: { payload: { ...submitted, amount: 40_000 }, approvers: ['bob', 'alice'] } });
  });

  it('should refuse a second approval of the same candidate', () => {
    const votes = [approve('bob', { ...submitted, amount: 40_000 })];
    expect(countVote(submitted, votes, approve('bob'), 2)).toEqual({ ok: false, reason: 'ALREADY_DECIDED_BY_YOU' });
    expect(countVote(submitted, votes, approve('bob', { ...submitted, amount: 1 }), 2)).toEqual({ ok: false, reason: 'ALREADY_DECIDED_BY_YOU' });
  });

  it('should treat a modification equal to the candidate (as canonical JSON) as a plain approval', () => {
    const result = countVote(submitted, [approve('alice')], approve('bob', { amount: 50_000, to: 'ACME' }), 2);
    expect(result).toMatchObject({ ok: true, outcome: ActionStatus.APPROVED, changed: false, voided: [], candidate: { round: 0, payload: submitted } });
  });

  it('should never approve with fewer approvals of the final candidate than required, however many approved before', () => {
    const votes = [approve('alice'), approve('carol')];
    const result = countVote(submitted, votes, approve('bob', { amount: 1 }), 2);
    expect(result).toMatchObject({ ok: true, outcome: ActionStatus.PENDING, voided: ['alice', 'carol'], candidate: { approvers: ['bob'] } });
  });

  it('should approve a single-approval request with the modification as the candidate', () => {
    expect(countVote(submitted, [], approve('bob', { amount: 1 }), 1)).toMatchObject({ ok: true, outcome: ActionStatus.APPROVED, changed: true, candidate: { payload: { amount: 1 } } });
  });

  it('should still end the request on a denial after a modification', () => {
    const result = countVote(submitted, [approve('bob', { amount: 1 })], { approverId: 'alice', verdict: Verdict.DENY }, 2);
    expect(result).toMatchObject({ ok: true, outcome: ActionStatus.DENIED });
  });
});

describe('candidateAfter', () => {
  it('should say which candidate each vote was cast on', () => {
    const votes = [approve('alice'), approve('bob', { amount: 1 }), approve('alice'), approve('carol', { amount: 2 })];
    expect(candidateAfter(submitted, votes)).toEqual({ candidate: { payload: { amount: 2 }, round: 2, approvers: ['carol'] }, rounds: [0, 1, 1, 2] });
  });
});

describe('standing', () => {
  it('should keep a request pending when a re-evaluation raised the quorum above its approvals', () => {
    const { candidate } = candidateAfter(submitted, [approve('bob', { amount: 9 })]);
    expect(standing([approve('bob', { amount: 9 })], candidate, 1)).toBe(ActionStatus.APPROVED);
    expect(standing([approve('bob', { amount: 9 })], candidate, 2)).toBe(ActionStatus.PENDING);
  });
});

describe('candidateAfter over stored votes', () => {
  it('should follow the stored rounds, whatever order the clocks put the votes of a round in', () => {
    const stored = [
      { ...approve('alice'), candidate: 0 },
      { ...approve('bob', { amount: 1 }), candidate: 1 },
      { ...approve('carol'), candidate: 1 },
    ];
    expect(candidateAfter(submitted, stored)).toEqual({ candidate: { payload: { amount: 1 }, round: 1, approvers: ['bob', 'carol'] }, rounds: [0, 1, 1] });
    expect(countVote(submitted, stored, approve('alice'), 3)).toMatchObject({ ok: true, outcome: ActionStatus.APPROVED, changed: false });
  });
});
