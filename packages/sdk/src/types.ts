import type { Duration } from './duration.js';
import type { ActionFieldsFragment, ActionInput as GeneratedActionInput } from './generated/graphql.js';

import type * as Generated from './generated/graphql.js';

/**
 * Where a request stands. All but PENDING are terminal.
 * @example
 * ```ts
 * if (action.status === 'PENDING') console.log('an approver has it');
 * ```
 */
export type ActionStatus = Generated.ActionStatus;

/**
 * What kind of thing an action does; it weighs in the risk score.
 * @example
 * ```ts
 * const operation: Operation = 'DELETE';
 * ```
 */
export type Operation = Generated.Operation;

/**
 * How sensitive the data an action touches is.
 * @example
 * ```ts
 * const input = { ...base, dataClassification: 'CONFIDENTIAL' satisfies DataClassification };
 * ```
 */
export type DataClassification = Generated.DataClassification;

/**
 * How much human attention a request got: AUTO and ASYNC_REVIEW run at once (the latter
 * reviewed afterwards), SYNC_APPROVAL waits for a person, BLOCK is refused.
 * @example
 * ```ts
 * if (approved.mode === 'ASYNC_REVIEW') console.log('ran now; finance will review it');
 * ```
 */
export type Mode = Generated.Mode;

/**
 * The risk level the score maps to.
 * @example
 * ```ts
 * if (action.risk.level === 'CRITICAL') alertOnCall(action);
 * ```
 */
export type RiskLevel = Generated.RiskLevel;

/**
 * An approver's verdict in a {@link Decision}.
 * @example
 * ```ts
 * const denial = action.decisions.find((d) => d.verdict === 'DENY');
 * ```
 */
export type Verdict = Generated.Verdict;

/**
 * How an ASYNC_REVIEW request fared in its review afterwards.
 * @example
 * ```ts
 * const { reviewStatus } = await cs.get(id); // 'UNREVIEWED' | 'ACKNOWLEDGED' | 'FLAGGED'
 * ```
 */
export type ReviewStatus = Generated.ReviewStatus;

/**
 * Whether the approved action worked, in an {@link Outcome}.
 * @example
 * ```ts
 * await cs.reportOutcome(id, { status: 'SUCCEEDED' satisfies OutcomeStatus });
 * ```
 */
export type OutcomeStatus = Generated.OutcomeStatus;

/**
 * Why a request stands as it does (`statusReason`), when one is recorded. The server may
 * add reasons; the known ones are listed.
 * - `BREAK_GLASS`: approved at once through break-glass (see {@link GuardOptions.breakGlass}); reviewed afterwards.
 * - `BREAK_GLASS_LIMIT`: break-glass refused, the agent used it as often as its policy allows today (UTC).
 * - `BREAK_GLASS_NOT_ALLOWED`: break-glass refused, the policy does not allow it.
 * @example
 * ```ts
 * if (action.statusReason === ('BREAK_GLASS' satisfies StatusReason)) log.warn('ran through break-glass');
 * ```
 */
export type StatusReason =
  | 'QUORUM_UNREACHABLE'
  | 'BLOCKED_BY_POLICY'
  | 'AGENT_SUSPENDED'
  | 'NO_ROUTE'
  | 'NO_APPROVERS_AVAILABLE'
  | 'TIMED_OUT'
  | 'DENIED_BY_APPROVER'
  | 'CHANGES_REQUESTED_BY_APPROVER'
  | 'APPROVED_BY_APPROVER'
  | 'AUTO_APPROVED'
  | 'CANCELLED_BY_AGENT'
  | 'BREAK_GLASS'
  | 'BREAK_GLASS_LIMIT'
  | 'BREAK_GLASS_NOT_ALLOWED'
  // Reasons a newer server adds still type-check, without losing the completion above.
  | (string & {});

/**
 * Money the action moves.
 * @example
 * ```ts
 * const amount: AmountInput = { value: 4200, currency: 'EUR' };
 * ```
 */
export type AmountInput = Generated.AmountInput;

/**
 * Where data or money goes; `external` when it leaves the organisation.
 * @example
 * ```ts
 * const destination: DestinationInput = { system: 'stripe', external: true };
 * ```
 */
export type DestinationInput = Generated.DestinationInput;

/**
 * What an agent asks to do (DESIGN §2 step 1): the `ActionInput` of the GraphQL API, with
 * `payload` typed as the arguments the action will run with.
 *
 * @typeParam P - the payload's type; it is what `guard` and `wrap` hand to your function.
 *
 * @example
 * ```ts
 * const input: ActionInput<{ invoiceId: string; amount: number }> = {
 *   type: 'payments.transfer',
 *   operation: 'WRITE',
 *   summary: 'Pay invoice INV-42 to ACME (4,200 EUR)',
 *   amount: { value: 4200, currency: 'EUR' },
 *   destination: { system: 'bank', external: true },
 *   payload: { invoiceId: 'INV-42', amount: 4200 },
 * };
 * ```
 */
export type ActionInput<P = unknown> = Omit<GeneratedActionInput, 'payload'> & {
  /** The exact arguments the action will run with; approvers see them, receipts bind them. */
  payload?: P;
};

/**
 * An action request as the server reports it: status, mode, risk, routing, decisions and,
 * once approved, the approved payload and its receipt. Dates are ISO 8601 strings.
 *
 * @example
 * ```ts
 * const action = await cs.submit(input);
 * if (action.status === 'PENDING') console.log(`waiting for ${action.chain}, level ${action.escalationLevel}`);
 * ```
 */
export type ActionRequest = ActionFieldsFragment;

/**
 * An approver's verdict on a request, with whoever gave it (and on whose behalf, when a
 * delegation brought them in).
 *
 * @example
 * ```ts
 * for (const d of action.decisions) console.log(d.verdict, d.approver.name, d.comment);
 * ```
 */
export type Decision = ActionRequest['decisions'][number];

/**
 * The standing approval (DESIGN §12) that let a request through at once — `statusReason`
 * `GRANTED` — or null: which grant, of what type, how many of its uses are gone, until when,
 * and who granted it.
 *
 * @example
 * ```ts
 * const action = await cs.submit(input);
 * if (action.grant) console.log(`approved by grant ${action.grant.id} of ${action.grant.grantedBy.name}`);
 * ```
 */
export type Grant = NonNullable<ActionRequest['grant']>;

/**
 * An {@link ActionRequest} whose status is `APPROVED`. `approvedPayload` holds the
 * arguments to run with: the submitted payload, or the approver's modification of it.
 *
 * @example
 * ```ts
 * const approved = await cs.requestApproval(input);
 * await bank.transfer(approved.approvedPayload);
 * ```
 */
export type ApprovedActionRequest<P = unknown> = Omit<ActionRequest, 'status' | 'approvedPayload'> & {
  status: 'APPROVED';
  approvedPayload: P;
};

/**
 * What happened when the action ran (DESIGN §2 step 11).
 *
 * @example
 * ```ts
 * await cs.reportOutcome(action.id, { status: 'SUCCEEDED', result: { transferId: 'T-1' } });
 * ```
 */
export interface Outcome {
  status: OutcomeStatus;
  /** A sentence for the audit trail, e.g. the error message of a failure. */
  detail?: string | null;
  /** Any JSON the action produced. */
  result?: unknown;
}

/**
 * Somewhere for the client to say what it is doing: retries, reconnects, outcome reports
 * it could not deliver. `console` fits.
 *
 * @example
 * ```ts
 * const cs = createClient({ url, apiKey, logger: console });
 * ```
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * Options every call takes.
 *
 * @example
 * ```ts
 * await cs.submit(input, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface CallOptions {
  /** Aborting rejects the call with `signal.reason`, as `fetch` does. */
  signal?: AbortSignal;
}

/**
 * Options for calls that wait for a decision.
 *
 * @example
 * ```ts
 * await cs.wait(id, { timeout: '15m', signal: controller.signal });
 * ```
 */
export interface WaitOptions extends CallOptions {
  /**
   * How long to wait for the decision once the request is submitted. When it passes, the
   * call throws {@link ApprovalTimeoutError} and the request stays pending.
   * @default no limit: every pending request ends by itself, EXPIRED at the end of its
   * escalation chain, and the wait ends with it.
   */
  timeout?: Duration;
}

/**
 * Options for {@link Client.guard} and {@link Client.wrap}.
 *
 * @example
 * ```ts
 * await cs.guard(input, (p) => crm.export(p), {
 *   timeout: '1h',
 *   outcome: (file) => ({ detail: `exported ${file.rows} rows`, result: { path: file.path } }),
 * });
 * ```
 */
export interface GuardOptions<R = unknown> extends WaitOptions {
  /**
   * What to record as the outcome when your function succeeds: to keep a large or
   * sensitive result out of the audit trail, or to add a sentence.
   * @default the function's result itself when it is JSON, otherwise nothing
   */
  outcome?: (result: R) => Omit<Outcome, 'status'>;
  /**
   * Break-glass (DESIGN §12): why this cannot wait for an approver (1–2000 characters).
   * Where the policy allows it, a request that would wait for approval is approved at once
   * (`statusReason` `BREAK_GLASS`, receipt claim `bg: true`), a few times per agent and UTC
   * day, and reviewed afterwards; over the limit or where the policy does not allow it, it is
   * denied ({@link ActionDeniedError}). `submit` and `requestApproval` take it as
   * `input.breakGlass: { justification }`.
   * @example
   * ```ts
   * await cs.guard(input, (p) => ops.restart(p), { breakGlass: 'checkout is down for every customer' });
   * ```
   * @default none: the request waits for approval as its policy says
   */
  breakGlass?: string;
}

/** The statuses after which a request never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<ActionRequest['status']> = new Set(['APPROVED', 'DENIED', 'CHANGES_REQUESTED', 'EXPIRED', 'CANCELLED']);

/** True when `action` has reached a status it will never leave. */
export function isTerminal(action: Pick<ActionRequest, 'status'>): boolean {
  return TERMINAL_STATUSES.has(action.status);
}
