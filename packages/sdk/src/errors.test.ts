import { ClientError } from 'graphql-request';
import { describe, expect, it } from 'vitest';
import {
  ActionCancelledError,
  ActionDeniedError,
  ActionNotApprovedError,
  ApprovalExpiredError,
  ApprovalTimeoutError,
  ChangesRequestedError,
  CountersignError,
  notApprovedError,
} from './errors.js';
import { actionFixture, decisionFixture } from './test-support/fixtures.js';
import { toCountersignError } from './transport/http.js';
import { subscriptionError } from './transport/subscriptions.js';

const url = new URL('http://countersign.test/graphql');

describe('the error a terminal status stands for', () => {
  it('is none for APPROVED and PENDING', () => {
    expect(notApprovedError(actionFixture({ status: 'APPROVED' }))).toBeUndefined();
    expect(notApprovedError(actionFixture({ status: 'PENDING' }))).toBeUndefined();
  });

  it('is ActionDeniedError for DENIED, naming the approver and their comment', () => {
    const deny = decisionFixture({ verdict: 'DENY', comment: 'Vendor not on the approved list' });
    const error = notApprovedError(actionFixture({ status: 'DENIED', decisions: [deny] }));
    expect(error).toBeInstanceOf(ActionDeniedError);
    expect(error).toBeInstanceOf(ActionNotApprovedError);
    expect(error).toMatchObject({ name: 'ActionDeniedError', actionId: 'a1', comment: 'Vendor not on the approved list', decision: deny, reason: null });
    expect(error!.message).toBe('Action a1 (payments.transfer) was denied by fiona: Vendor not on the approved list');
  });

  it('is ActionDeniedError with the server reason when no person decided', () => {
    const error = notApprovedError(actionFixture({ status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', mode: 'BLOCK' })) as ActionDeniedError;
    expect(error).toMatchObject({ reason: 'BLOCKED_BY_POLICY', decision: undefined, comment: null });
    expect(error.message).toMatch(/denied \(BLOCKED_BY_POLICY\)/);
  });

  it('is ChangesRequestedError for CHANGES_REQUESTED, with the comment and the suggested payload', () => {
    const suggestion = { invoice: 'INV-1', amount: 90 };
    const error = notApprovedError(
      actionFixture({ status: 'CHANGES_REQUESTED', decisions: [decisionFixture({ verdict: 'REQUEST_CHANGES', comment: 'Deduct the 10% early-payment discount', modifiedPayload: suggestion })] }),
    );
    expect(error).toBeInstanceOf(ChangesRequestedError);
    expect(error).toMatchObject({ name: 'ChangesRequestedError', comment: 'Deduct the 10% early-payment discount', suggestedPayload: suggestion });
  });

  it('is ApprovalExpiredError for EXPIRED and ActionCancelledError for CANCELLED', () => {
    expect(notApprovedError(actionFixture({ status: 'EXPIRED' }))).toBeInstanceOf(ApprovalExpiredError);
    const cancelled = notApprovedError(actionFixture({ status: 'CANCELLED', statusReason: 'CANCELLED_BY_AGENT' }));
    expect(cancelled).toBeInstanceOf(ActionCancelledError);
    expect(cancelled).toMatchObject({ name: 'ActionCancelledError', reason: 'CANCELLED_BY_AGENT' });
  });

  it('keeps the last state seen in ApprovalTimeoutError, whose request is still pending', () => {
    const action = actionFixture();
    const error = new ApprovalTimeoutError({ actionId: 'a1', action, timeoutMs: 900_000 });
    expect(error).toMatchObject({ name: 'ApprovalTimeoutError', actionId: 'a1', action, timeoutMs: 900_000 });
    expect(error).not.toBeInstanceOf(ActionNotApprovedError);
  });
});

describe('transport failures as CountersignError', () => {
  const clientError = (status: number, body: Record<string, unknown>) => new ClientError({ status, headers: new Headers(), body: JSON.stringify(body), ...body }, { query: '{ x }' });

  it('passes the contract codes through, with the field at fault', () => {
    const error = toCountersignError(clientError(200, { errors: [{ message: 'amount.value must be ≥ 0', extensions: { code: 'BAD_USER_INPUT', field: 'amount.value' } }] }), url);
    expect(error).toMatchObject({ name: 'CountersignError', code: 'BAD_USER_INPUT', field: 'amount.value', message: 'amount.value must be ≥ 0', retryable: false, httpStatus: 200 });
    expect(error.cause).toBeInstanceOf(ClientError);
  });

  it.each([
    ['UNAUTHENTICATED', false],
    ['FORBIDDEN', false],
    ['NOT_FOUND', false],
    ['CONFLICT', false],
    ['RATE_LIMITED', true],
    ['UNAVAILABLE', true],
  ])('maps %s (retryable: %s)', (code, retryable) => {
    expect(toCountersignError(clientError(200, { errors: [{ message: 'm', extensions: { code } }] }), url)).toMatchObject({ code, retryable });
  });

  it('calls a code it does not know UNKNOWN, keeping the extensions', () => {
    const error = toCountersignError(clientError(400, { errors: [{ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }), url);
    expect(error).toMatchObject({ code: 'UNKNOWN', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, retryable: false });
  });

  it('reads the HTTP status of a response that is not GraphQL (a proxy, a load balancer)', () => {
    expect(toCountersignError(clientError(503, {}), url)).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(toCountersignError(clientError(401, {}), url)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(toCountersignError(clientError(404, {}), url)).toMatchObject({ code: 'UNKNOWN', retryable: false });
  });

  it('makes a refused connection a retryable NETWORK_ERROR that says where it tried', () => {
    const error = toCountersignError(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4000') }), url);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(error.message).toBe('Could not reach Countersign at http://countersign.test/graphql: fetch failed: connect ECONNREFUSED 127.0.0.1:4000');
  });

  it('maps WebSocket closes: a refused key is UNAUTHENTICATED, a server failure UNAVAILABLE, a drop a NETWORK_ERROR', () => {
    expect(subscriptionError({ code: 4403, reason: 'Forbidden' })).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(subscriptionError({ code: 4500, reason: 'db down' })).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(subscriptionError({ code: 1006, reason: '' })).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(subscriptionError([{ message: 'ActionRequest x was not found.', extensions: { code: 'NOT_FOUND' } }])).toMatchObject({ code: 'NOT_FOUND' });
    expect(subscriptionError(new Error('socket hang up'))).toBeInstanceOf(CountersignError);
  });
});
