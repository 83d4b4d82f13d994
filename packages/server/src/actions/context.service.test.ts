import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ActionStatus, Mode, ReviewStatus } from '../shared/enums.js';
import { BASELINE_SAMPLE, summarizeBaseline, type BaselineRow, type OutcomeGroup } from './context.service.js';

const now = new Date('2026-02-01T12:00:00Z');
const HOUR = 3_600_000;

/** `n` requests held for approval that ended with `reason`, or ran under review and ended `review`. */
function held(n: number, status: ActionStatus, reason: string): OutcomeGroup {
  return { mode: Mode.SYNC_APPROVAL, status, reason, review: null, n };
}
function reviewedAs(n: number, review: ReviewStatus): OutcomeGroup {
  return { mode: Mode.ASYNC_REVIEW, status: ActionStatus.APPROVED, reason: 'AUTO_APPROVED', review, n };
}
const some = (n: number): OutcomeGroup[] => [{ mode: Mode.AUTO, status: ActionStatus.APPROVED, reason: 'AUTO_APPROVED', review: null, n }];

function row(values: Partial<BaselineRow>): BaselineRow {
  return {
    agent_id: 'a', first_at: null, oldest: null, usual_per_hour: null, last_hour: 0, outcomes: [], amounts: [], ...values,
  };
}

describe('summarizeBaseline', () => {
  it('should give an agent without history no rates rather than zeros', () => {
    expect(summarizeBaseline(row({}), now)).toMatchObject({ requests: 0, actionsPerHour: null, approvalRate: null, denialRate: null, flagRate: null, firstSeenAt: null });
  });

  it('should cover the last 30 days, or less for a newer agent', () => {
    expect(summarizeBaseline(row({ first_at: new Date(now.getTime() - 90 * 24 * HOUR), outcomes: some(40) }), now).since).toEqual(new Date(now.getTime() - 30 * 24 * HOUR));
    expect(summarizeBaseline(row({ first_at: new Date(now.getTime() - 5 * HOUR), outcomes: some(4) }), now).since).toEqual(new Date(now.getTime() - 5 * HOUR));
  });

  it('should cover only the sampled requests when the agent sent more than the sample holds', () => {
    const oldest = new Date(now.getTime() - 49 * HOUR);
    expect(summarizeBaseline(row({ first_at: new Date(now.getTime() - 90 * 24 * HOUR), oldest, outcomes: some(BASELINE_SAMPLE) }), now).since).toEqual(oldest);
  });

  it('should show the usual rate the risk model measured, next to the last hour', () => {
    expect(summarizeBaseline(row({ usual_per_hour: 2.5, last_hour: 40 }), now)).toMatchObject({ actionsPerHour: 2.5, requestsLastHour: 40 });
  });

  it('should rate decisions over human decisions and flags over reviews', () => {
    const outcomes = [
      held(6, ActionStatus.APPROVED, 'APPROVED_BY_APPROVER'), held(3, ActionStatus.DENIED, 'DENIED_BY_APPROVER'),
      held(1, ActionStatus.CHANGES_REQUESTED, 'CHANGES_REQUESTED_BY_APPROVER'), held(2, ActionStatus.EXPIRED, 'TIMED_OUT'),
      reviewedAs(3, ReviewStatus.ACKNOWLEDGED), reviewedAs(1, ReviewStatus.FLAGGED), reviewedAs(5, ReviewStatus.UNREVIEWED), ...some(10),
    ];
    const baseline = summarizeBaseline(row({ outcomes }), now);
    expect(baseline).toMatchObject({ requests: 31, humanDecisions: 10, approvalRate: 0.6, denialRate: 0.3, changesRequestedRate: 0.1, reviewed: 4, flagRate: 0.25, expired: 2 });
    expect(baseline.byMode).toEqual([
      { mode: Mode.AUTO, count: 10 }, { mode: Mode.ASYNC_REVIEW, count: 9 }, { mode: Mode.SYNC_APPROVAL, count: 12 }, { mode: Mode.BLOCK, count: 0 },
    ]);
  });
});
