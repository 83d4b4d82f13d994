/**
 * The Countersign SDK for agents: ask before acting, wait for the decision, run only what
 * was approved, and report what happened.
 *
 * @example
 * ```ts
 * import { createClient } from '@countersign/sdk';
 *
 * const cs = createClient({ url: 'http://127.0.0.1:4000/graphql', apiKey: process.env.COUNTERSIGN_API_KEY });
 * const payInvoice = cs.wrap(bank.pay, (invoice) => ({
 *   type: 'payments.transfer',
 *   operation: 'WRITE',
 *   summary: `Pay ${invoice.id}`,
 *   amount: { value: invoice.total, currency: 'EUR' },
 * }));
 * ```
 *
 * @packageDocumentation
 */
export { createClient, type Client, type ClientOptions } from './client.js';
export {
  CountersignError,
  ReceiptVerificationError,
  ActionNotApprovedError,
  ActionDeniedError,
  ChangesRequestedError,
  ApprovalExpiredError,
  ActionCancelledError,
  ApprovalTimeoutError,
  type ErrorCode,
  type ReceiptFailure,
} from './errors.js';
export { verifyReceipt, payloadHash, type ReceiptClaims, type ReceiptKey, type ReceiptExpectations, type VerifyReceiptOptions } from './receipt.js';
export { toMilliseconds, type Duration, type DurationUnit } from './duration.js';
export type { RetryPolicy } from './retry.js';
export type {
  ActionInput,
  ActionRequest,
  ApprovedActionRequest,
  Decision,
  Grant,
  Outcome,
  Logger,
  CallOptions,
  WaitOptions,
  GuardOptions,
  ActionStatus,
  DataClassification,
  Mode,
  Operation,
  OutcomeStatus,
  ReviewStatus,
  RiskLevel,
  Verdict,
  AmountInput,
  DestinationInput,
  StatusReason,
} from './types.js';
