import type { ActionRequest, Decision } from './types.js';

/**
 * Why a {@link CountersignError} was thrown. The first seven are the server's
 * `extensions.code` values (DESIGN §4); the rest arise in the client.
 *
 * - `INTERNAL_SERVER_ERROR`: the server failed and said no more.
 * - `NETWORK_ERROR`: no usable response (refused, reset, timed out, not GraphQL), after
 *   the retries the policy allows.
 * - `INVALID_RECEIPT`: see {@link ReceiptVerificationError}.
 * - `DISPOSED`: the client was disposed while the call was in flight.
 * - `UNKNOWN`: an error code this version of the SDK does not know (see `extensions`).
 *
 * @example
 * ```ts
 * if (error instanceof CountersignError && error.code === 'RATE_LIMITED') await slowDown();
 * ```
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK_ERROR'
  | 'INVALID_RECEIPT'
  | 'DISPOSED'
  | 'UNKNOWN';

/**
 * A call to Countersign failed: the network, authentication, the server refusing the
 * input, or a receipt that does not verify. The request itself may not exist, so `action`
 * is there only when the failure concerns a known request.
 *
 * @example
 * ```ts
 * try {
 *   await cs.submit(input);
 * } catch (error) {
 *   if (error instanceof CountersignError && error.code === 'BAD_USER_INPUT') {
 *     console.error(`fix ${error.field}: ${error.message}`);
 *   }
 *   throw error;
 * }
 * ```
 */
export class CountersignError extends Error {
  static {
    this.prototype.name = 'CountersignError';
  }

  /** What kind of failure; branch on this. */
  readonly code: ErrorCode;
  /** With `BAD_USER_INPUT`: the input field at fault, as the server names it. */
  readonly field: string | undefined;
  /** The request concerned, when known. */
  readonly action: ActionRequest | undefined;
  /** The HTTP status of the response, when there was one. */
  readonly httpStatus: number | undefined;
  /** Everything the server put in the error's `extensions`. */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** True when trying again later may succeed (the client already retried per its policy). */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: {
      code: ErrorCode;
      field?: string;
      action?: ActionRequest;
      httpStatus?: number;
      extensions?: Record<string, unknown>;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.field = options.field;
    this.action = options.action;
    this.httpStatus = options.httpStatus;
    this.extensions = options.extensions ?? {};
    this.retryable = RETRYABLE_CODES.has(options.code);
  }
}

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'UNAVAILABLE', 'RATE_LIMITED']);

/** The server codes of the contract (DESIGN §4), passed through as they are. */
const SERVER_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

/** A {@link CountersignError} for a GraphQL error the server sent (over HTTP or WebSocket). */
export function fromGraphQLError(
  error: { message: string; extensions?: Record<string, unknown> },
  options: { httpStatus?: number; cause: unknown },
): CountersignError {
  const { code, field } = error.extensions ?? {};
  return new CountersignError(error.message, {
    code: typeof code === 'string' && SERVER_CODES.has(code) ? (code as ErrorCode) : 'UNKNOWN',
    field: typeof field === 'string' ? field : undefined,
    httpStatus: options.httpStatus,
    extensions: error.extensions,
    cause: options.cause,
  });
}

/**
 * Which check a receipt failed.
 *
 * @example
 * ```ts
 * if (error instanceof ReceiptVerificationError && error.failure === 'PAYLOAD_MISMATCH') alarm('arguments changed after approval');
 * ```
 */
export type ReceiptFailure =
  /** There is no receipt, or it is not a compact JWS. */
  | 'MALFORMED'
  /** Not signed by a key in the JWKS (or the pinned key), or not with EdDSA. */
  | 'SIGNATURE'
  /** Its `pld` is not the hash of the payload about to run. */
  | 'PAYLOAD_MISMATCH'
  /** It has expired (`exp`), or is not valid yet (`iat`). */
  | 'EXPIRED'
  /** It was issued for another action, agent, action type or issuer. */
  | 'CLAIM_MISMATCH';

/**
 * A receipt failed verification: the approval cannot be trusted, so `guard` does not run
 * its function. `code` is always `INVALID_RECEIPT`; `failure` says which check failed.
 *
 * @example
 * ```ts
 * try {
 *   await verifyReceipt(receipt, payload, { jwksUrl: 'https://countersign.example.com/.well-known/jwks.json' });
 * } catch (error) {
 *   if (error instanceof ReceiptVerificationError) refuse(`receipt rejected: ${error.failure}`);
 *   else throw error;
 * }
 * ```
 */
export class ReceiptVerificationError extends CountersignError {
  static {
    this.prototype.name = 'ReceiptVerificationError';
  }

  readonly failure: ReceiptFailure;

  constructor(message: string, options: { failure: ReceiptFailure; action?: ActionRequest; cause?: unknown }) {
    super(message, { code: 'INVALID_RECEIPT', action: options.action, cause: options.cause });
    this.failure = options.failure;
  }
}

/**
 * The request reached a terminal status other than APPROVED, so the action must not run.
 * Catch this to handle every refusal alike; catch a subclass to handle one.
 *
 * @example
 * ```ts
 * try {
 *   await cs.guard(input, run);
 * } catch (error) {
 *   if (error instanceof ActionNotApprovedError) return `Not done: ${error.message}`;
 *   throw error;
 * }
 * ```
 */
export abstract class ActionNotApprovedError extends Error {
  static {
    this.prototype.name = 'ActionNotApprovedError';
  }

  /** The request in its final state. */
  readonly action: ActionRequest;

  constructor(message: string, action: ActionRequest, options?: { cause?: unknown }) {
    super(message, options);
    this.action = action;
  }

  get actionId(): string {
    return this.action.id;
  }
}

/**
 * The request was DENIED: by an approver, by a policy (mode BLOCK), for lack of a route
 * to any approver, or because the agent is suspended.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ActionDeniedError) {
 *     return `Denied${error.decision ? ` by ${error.decision.approver.name}` : ''}: ${error.comment ?? error.reason}`;
 *   }
 * }
 * ```
 */
export class ActionDeniedError extends ActionNotApprovedError {
  static {
    this.prototype.name = 'ActionDeniedError';
  }

  /** The server's reason when no person decided: `BLOCKED_BY_POLICY`, `NO_ROUTE`, `AGENT_SUSPENDED`… */
  readonly reason: string | null;
  /** The deciding DENY, when a person decided. */
  readonly decision: Decision | undefined;
  /** The approver's comment, if any. */
  readonly comment: string | null;

  constructor(action: ActionRequest) {
    const decision = lastDecision(action, 'DENY');
    const by = decision ? ` by ${decision.approver.name}` : action.statusReason ? ` (${action.statusReason})` : '';
    super(`Action ${action.id} (${action.type}) was denied${by}${decision?.comment ? `: ${decision.comment}` : ''}`, action);
    this.reason = action.statusReason;
    this.decision = decision;
    this.comment = decision?.comment ?? null;
  }
}

/**
 * An approver asked for changes. The request is closed; submit a revision with
 * `revisionOf` set to its id, typically with the suggested payload.
 *
 * @example
 * ```ts
 * try {
 *   return await cs.guard(input, pay);
 * } catch (error) {
 *   if (!(error instanceof ChangesRequestedError)) throw error;
 *   console.log(`${error.decision?.approver.name} asks: ${error.comment}`);
 *   return cs.guard({ ...input, payload: error.suggestedPayload ?? input.payload, revisionOf: error.actionId }, pay);
 * }
 * ```
 */
export class ChangesRequestedError<P = unknown> extends ActionNotApprovedError {
  static {
    this.prototype.name = 'ChangesRequestedError';
  }

  /** What the approver wants changed. */
  readonly comment: string | null;
  /** The payload the approver suggests instead, if they gave one. */
  readonly suggestedPayload: P | undefined;
  /** The REQUEST_CHANGES decision. */
  readonly decision: Decision | undefined;

  constructor(action: ActionRequest) {
    const decision = lastDecision(action, 'REQUEST_CHANGES');
    const by = decision ? ` by ${decision.approver.name}` : '';
    super(`Changes to action ${action.id} (${action.type}) were requested${by}${decision?.comment ? `: ${decision.comment}` : ''}`, action);
    this.decision = decision;
    this.comment = decision?.comment ?? null;
    this.suggestedPayload = (decision?.modifiedPayload ?? undefined) as P | undefined;
  }
}

/**
 * Nobody decided before the last level of the escalation chain timed out. The request is
 * EXPIRED and the action must not run (fail closed).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ApprovalExpiredError) await pager.notify(`No approver answered for ${error.actionId}`);
 * }
 * ```
 */
export class ApprovalExpiredError extends ActionNotApprovedError {
  static {
    this.prototype.name = 'ApprovalExpiredError';
  }

  constructor(action: ActionRequest) {
    super(`Action ${action.id} (${action.type}) expired before anyone decided`, action);
  }
}

/**
 * The request was withdrawn (CANCELLED): by this agent or another process using its key
 * (`reason` CANCELLED_BY_AGENT), or because an admin suspended the agent while it was
 * pending (`reason` AGENT_SUSPENDED: the kill switch; it will never be approved).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof ActionCancelledError && error.reason === 'AGENT_SUSPENDED') process.exit(1); // stop acting
 *   if (error instanceof ActionCancelledError) return; // we withdrew it ourselves
 * }
 * ```
 */
export class ActionCancelledError extends ActionNotApprovedError {
  static {
    this.prototype.name = 'ActionCancelledError';
  }

  /** Why it was cancelled (`statusReason`): CANCELLED_BY_AGENT or AGENT_SUSPENDED. */
  readonly reason: string | null;

  constructor(action: ActionRequest) {
    super(`Action ${action.id} (${action.type}) was cancelled${action.statusReason ? `: ${action.statusReason}` : ''}`, action);
    this.reason = action.statusReason;
  }
}

/**
 * Your own timeout passed before a decision. The request is still PENDING on the server:
 * wait again with `cs.wait(error.actionId)`, or withdraw it with `cs.cancel`.
 *
 * @example
 * ```ts
 * try {
 *   await cs.requestApproval(input, { timeout: '10m' });
 * } catch (error) {
 *   if (error instanceof ApprovalTimeoutError) await cs.cancel(error.actionId, 'no longer needed');
 *   throw error;
 * }
 * ```
 */
export class ApprovalTimeoutError extends Error {
  static {
    this.prototype.name = 'ApprovalTimeoutError';
  }

  readonly actionId: string;
  /** The request as last seen, if it was seen at all. */
  readonly action: ActionRequest | undefined;
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(options: { actionId: string; action?: ActionRequest; timeoutMs: number }) {
    super(`No decision on action ${options.actionId} within ${options.timeoutMs} ms; it is still pending`);
    this.actionId = options.actionId;
    this.action = options.action;
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * The error that a request in this terminal status stands for, or `undefined` when it is
 * APPROVED or still PENDING.
 */
export function notApprovedError(action: ActionRequest): ActionNotApprovedError | undefined {
  switch (action.status) {
    case 'APPROVED':
    case 'PENDING':
      return undefined;
    case 'DENIED':
      return new ActionDeniedError(action);
    case 'CHANGES_REQUESTED':
      return new ChangesRequestedError(action);
    case 'EXPIRED':
      return new ApprovalExpiredError(action);
    case 'CANCELLED':
      return new ActionCancelledError(action);
    default:
      return assertNever(action.status);
  }
}

function lastDecision(action: ActionRequest, verdict: Decision['verdict']): Decision | undefined {
  return action.decisions.findLast((decision) => decision.verdict === verdict);
}

function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
