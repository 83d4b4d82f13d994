import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { toMilliseconds, type Duration } from './duration.js';
import { CountersignError, ReceiptVerificationError, notApprovedError } from './errors.js';
import {
  ActionDocument,
  CancelActionDocument,
  ReportOutcomeDocument,
  SubmitActionDocument,
} from './generated/graphql.js';
import { jwksUrlFor, localKeys, remoteKeys, verifyWith, type ReceiptClaims, type ReceiptExpectations, type ReceiptKey } from './receipt.js';
import { backoffDelay, resolveRetryPolicy, type RetryPolicy } from './retry.js';
import { linkSignals, sleep } from './timers.js';
import { createHttpTransport } from './transport/http.js';
import { createSubscriptionTransport } from './transport/subscriptions.js';
import {
  isTerminal,
  type ActionInput,
  type ActionRequest,
  type ApprovedActionRequest,
  type CallOptions,
  type GuardOptions,
  type Logger,
  type Outcome,
  type WaitOptions,
} from './types.js';
import { waitForTerminal } from './wait.js';

/**
 * Options of {@link createClient}. Only the endpoint and the API key are needed; every
 * other option has a default suited to an agent that waits minutes or hours for people.
 *
 * @example
 * ```ts
 * const cs = createClient({
 *   url: 'https://countersign.example.com/graphql',
 *   apiKey: process.env.COUNTERSIGN_API_KEY,
 *   retry: { attempts: 8 },
 *   logger: console,
 * });
 * ```
 */
export interface ClientOptions {
  /**
   * The server: its base URL (`http://127.0.0.1:4000`) or its GraphQL endpoint
   * (`http://127.0.0.1:4000/graphql`); a URL with no path gets `/graphql`.
   * @default process.env.COUNTERSIGN_URL
   */
  url?: string | URL;
  /**
   * The agent's API key (from `countersign agents create`).
   * @default process.env.COUNTERSIGN_API_KEY
   */
  apiKey?: string;
  /**
   * The WebSocket endpoint for waits.
   * @default `url` with `ws:` for `http:` and `wss:` for `https:`
   */
  wsUrl?: string | URL;
  /**
   * The fetch used for GraphQL over HTTP and for the JWKS.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * A WebSocket class (the `ws` package's, or a runtime's global one).
   * @default the `ws` package
   */
  webSocketImpl?: unknown;
  /**
   * Retries of calls that failed for a reason that may pass, and the backoff of reconnects
   * while waiting; `false` makes one attempt per call.
   * @default { attempts: 5, initialDelay: 200, maxDelay: '10s', factor: 2 }
   */
  retry?: Partial<RetryPolicy> | false;
  /**
   * How long one HTTP attempt may take before it counts as a network failure (and is
   * retried: submissions carry an idempotency key, so this never duplicates a request).
   * @default '30s'
   */
  requestTimeout?: Duration;
  /**
   * While the WebSocket is down or reconnecting, a wait asks for the action over HTTP this
   * often, so it sees the decision even if the socket never comes back. `0` disables it.
   * @default '10s'
   */
  pollInterval?: Duration;
  /**
   * How often the WebSocket is pinged; a socket that does not answer within the same time
   * is dropped and reconnected.
   * @default '15s'
   */
  keepAlive?: Duration;
  /**
   * Where `guard` and {@link Client.verifyReceipt} fetch the receipt signing keys.
   * @default `<origin of url>/.well-known/jwks.json`
   */
  jwksUrl?: string | URL;
  /**
   * A pinned receipt key (or key set), used instead of fetching `jwksUrl`: then not even
   * whoever answers at `url` can forge an approval that `guard` accepts.
   * @default none: the JWKS at `jwksUrl` is trusted
   */
  receiptKey?: ReceiptKey;
  /**
   * Where the client reports retries, reconnects and outcomes it could not deliver.
   * @default silent
   */
  logger?: Logger;
}

/**
 * A Countersign client for one agent. Create one per process with {@link createClient}
 * and share it: waits share its WebSocket.
 *
 * @example
 * ```ts
 * const cs = createClient({ url: 'http://127.0.0.1:4000/graphql', apiKey: process.env.COUNTERSIGN_API_KEY });
 * const receipt = await cs.guard(
 *   { type: 'payments.transfer', operation: 'WRITE', summary: 'Pay INV-42', amount: { value: 4200, currency: 'EUR' }, payload: invoice },
 *   (approved) => bank.transfer(approved),
 * );
 * await cs.dispose();
 * ```
 */
export interface Client {
  /**
   * Submits an action request and returns at once with its first state: APPROVED (mode
   * AUTO or ASYNC_REVIEW), DENIED (BLOCK, no route, agent suspended) or PENDING (an
   * approver must decide). An idempotency key is generated unless you pass one, so the
   * client's retries never create a second request.
   *
   * @example
   * ```ts
   * const action = await cs.submit({ type: 'crm.export', operation: 'READ', summary: 'Export Q3 leads', recordCount: 1200 });
   * if (action.status === 'PENDING') queue.later(action.id);
   * ```
   */
  submit<P>(input: ActionInput<P>, options?: CallOptions): Promise<ActionRequest>;

  /**
   * Submits an action request and waits for the decision. Resolves when it is APPROVED
   * (at once for AUTO and ASYNC_REVIEW); throws {@link ActionDeniedError},
   * {@link ChangesRequestedError}, {@link ApprovalExpiredError} or
   * {@link ActionCancelledError} when it ends otherwise, and {@link ApprovalTimeoutError}
   * when `timeout` passes first (the request stays pending).
   *
   * Pass a stable `idempotencyKey` (an invoice number, a job id) to make the request
   * survive a restart of the agent itself: submitting again returns the same request, and
   * the wait picks up where it was.
   *
   * @example
   * ```ts
   * const approved = await cs.requestApproval(
   *   { type: 'db.delete', operation: 'DELETE', summary: 'Drop table staging_2023', resource: 'db:staging_2023', payload: { table: 'staging_2023' } },
   *   { timeout: '15m' },
   * );
   * await db.drop(approved.approvedPayload.table);
   * ```
   */
  requestApproval<P>(input: ActionInput<P>, options?: WaitOptions): Promise<ApprovedActionRequest<P>>;

  /**
   * Waits for the decision on a request submitted earlier, as {@link Client.requestApproval}
   * does. Network drops and server restarts do not end the wait.
   *
   * @example
   * ```ts
   * const { id } = await cs.submit(input);
   * // … later, perhaps in another process:
   * const approved = await cs.wait(id, { timeout: '1h' });
   * ```
   */
  wait<P = unknown>(id: string, options?: WaitOptions): Promise<ApprovedActionRequest<P>>;

  /**
   * Runs `fn` only if the request is approved, with the approved payload (the approver's
   * modification, if any), after checking the receipt's signature against the server's
   * JWKS: a forged "approved" does not run it. Then reports the outcome (SUCCEEDED with
   * the result, or FAILED with the error's message, which is rethrown) and returns what
   * `fn` returned. `fn` runs at most once per call.
   *
   * @throws the errors of {@link Client.requestApproval}; {@link ReceiptVerificationError}
   * when the receipt does not verify; whatever `fn` throws.
   *
   * @example
   * ```ts
   * const transfer = await cs.guard(
   *   {
   *     type: 'payments.transfer',
   *     operation: 'WRITE',
   *     summary: `Pay ${invoice.id} to ${invoice.vendor}`,
   *     amount: { value: invoice.total, currency: invoice.currency },
   *     destination: { system: 'bank', external: true },
   *     payload: { invoiceId: invoice.id, iban: invoice.iban, amount: invoice.total },
   *   },
   *   (approved) => bank.transfer(approved),
   *   { timeout: '4h' },
   * );
   * ```
   */
  guard<P, R>(input: ActionInput<P>, fn: (payload: P, action: ApprovedActionRequest<P>) => R | PromiseLike<R>, options?: GuardOptions<R>): Promise<R>;

  /**
   * Wraps a one-argument function (an agent tool) so that every call goes through
   * {@link Client.guard}: its argument is the payload, and it runs with the approved
   * arguments. `describe` says what a call does; its `payload` defaults to the argument.
   *
   * @example
   * ```ts
   * const transfer = cs.wrap(
   *   (args: { to: string; amount: number }) => bank.transfer(args),
   *   (args) => ({
   *     type: 'payments.transfer',
   *     operation: 'WRITE',
   *     summary: `Transfer ${args.amount} EUR to ${args.to}`,
   *     amount: { value: args.amount, currency: 'EUR' },
   *   }),
   * );
   * await transfer({ to: 'DE89 3704 0044 0532 0130 00', amount: 120 });
   * ```
   */
  wrap<A, R>(fn: (args: A) => R | PromiseLike<R>, describe: (args: A) => ActionInput<A>, options?: GuardOptions<R>): (args: A) => Promise<R>;

  /**
   * Records what happened when the approved action ran. `guard` and `wrap` do this for you.
   *
   * @example
   * ```ts
   * await cs.reportOutcome(approved.id, { status: 'FAILED', detail: 'bank rejected the IBAN' });
   * ```
   */
  reportOutcome(id: string, outcome: Outcome, options?: CallOptions): Promise<ActionRequest>;

  /**
   * Withdraws a pending request (status CANCELLED); whoever waits on it gets
   * {@link ActionCancelledError}.
   *
   * @example
   * ```ts
   * await cs.cancel(action.id, 'the customer paid by card instead');
   * ```
   */
  cancel(id: string, reason?: string, options?: CallOptions): Promise<ActionRequest>;

  /**
   * The current state of one of this agent's requests.
   *
   * @throws {@link CountersignError} with code `NOT_FOUND` when there is none (or it is another agent's).
   *
   * @example
   * ```ts
   * const { status, reviewStatus } = await cs.get(id);
   * ```
   */
  get(id: string, options?: CallOptions): Promise<ActionRequest>;

  /**
   * {@link verifyReceipt} against this client's server: its JWKS (or the pinned
   * `receiptKey`). Returns the claims; throws {@link ReceiptVerificationError}.
   *
   * @example
   * ```ts
   * const claims = await cs.verifyReceipt(approved.receipt, approved.approvedPayload, { actionId: approved.id });
   * ```
   */
  verifyReceipt(receipt: string, payload: unknown, expectations?: ReceiptExpectations): Promise<ReceiptClaims>;

  /**
   * Closes the WebSocket and ends the client: calls in flight and later calls reject with
   * a {@link CountersignError} whose code is `DISPOSED`. A `guard` whose function already
   * runs is not interrupted.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void cs.dispose());
   * ```
   */
  dispose(): Promise<void>;
}

/**
 * Creates a {@link Client}. Nothing connects until the first call; the WebSocket opens
 * only while something waits.
 *
 * @throws TypeError when no URL or API key is given (as an option or in the environment),
 * and RangeError for an invalid duration or retry policy.
 *
 * @example
 * ```ts
 * import { createClient } from '@countersign/sdk';
 *
 * // Reads COUNTERSIGN_URL and COUNTERSIGN_API_KEY.
 * const cs = createClient();
 * ```
 */
export function createClient(options: ClientOptions = {}): Client {
  const {
    url = process.env.COUNTERSIGN_URL,
    apiKey = process.env.COUNTERSIGN_API_KEY,
    wsUrl,
    fetch = globalThis.fetch,
    webSocketImpl,
    retry: retryOption,
    requestTimeout = '30s',
    pollInterval = '10s',
    keepAlive = '15s',
    jwksUrl,
    receiptKey,
    logger = SILENT,
  } = options;

  if (!url) throw new TypeError('createClient: `url` is required (or set COUNTERSIGN_URL), e.g. http://127.0.0.1:4000');
  if (!apiKey) throw new TypeError('createClient: `apiKey` is required (or set COUNTERSIGN_API_KEY)');
  const httpUrl = graphqlEndpoint(url);
  const retry = resolveRetryPolicy(retryOption);

  const http = createHttpTransport({ url: httpUrl, apiKey, fetch, retry, requestTimeoutMs: toMilliseconds(requestTimeout, 'requestTimeout'), logger });
  const subscriptions = createSubscriptionTransport({
    url: wsUrl ? new URL(wsUrl) : webSocketUrl(httpUrl),
    apiKey,
    webSocketImpl,
    retry,
    keepAliveMs: toMilliseconds(keepAlive, 'keepAlive'),
    logger,
  });
  const receiptKeys = receiptKey !== undefined ? localKeys(receiptKey) : remoteKeys(jwksUrl ?? jwksUrlFor(httpUrl), fetch);
  const pollIntervalMs = toMilliseconds(pollInterval, 'pollInterval');

  // Aborted by dispose(): every call listens to it alongside the caller's own signal.
  const lifetime = new AbortController();
  // One listener per call in flight, each removed when its call ends: many concurrent calls
  // are not a leak, so no MaxListenersExceededWarning past ten.
  setMaxListeners(0, lifetime.signal);
  async function withLifetime<T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const linked = linkSignals([signal, lifetime.signal]);
    try {
      return await run(linked.signal);
    } finally {
      linked.release();
    }
  }

  async function get(id: string, { signal }: CallOptions = {}): Promise<ActionRequest> {
    return withLifetime(signal, async (linked) => (await http.request(ActionDocument, { id }, { signal: linked })).action);
  }

  async function submit<P>(input: ActionInput<P>, { signal }: CallOptions = {}): Promise<ActionRequest> {
    // One key per call, reused by every retry of this call: the server returns the request
    // the first attempt created if that attempt's response was lost.
    const idempotencyKey = input.idempotencyKey ?? randomUUID();
    const { submitAction } = await withLifetime(signal, (linked) => http.request(SubmitActionDocument, { input: { ...input, idempotencyKey } }, { signal: linked }));
    logger.debug(`Countersign: submitted ${submitAction.type} as ${submitAction.id}: ${submitAction.mode}, ${submitAction.status}`, { actionId: submitAction.id });
    return submitAction;
  }

  /** Waits for `id` to end; `known` is a state already in hand (a submission's answer). */
  async function awaitDecision<P>(id: string, options: WaitOptions, known?: ActionRequest): Promise<ApprovedActionRequest<P>> {
    const timeoutMs = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, 'timeout');
    let action = known;
    if (!action || !isTerminal(action)) {
      const pushed = await withLifetime(options.signal, (signal) =>
        waitForTerminal(
          {
            subscriptions,
            // The wait's own signal ends the poll; the wait ends with the client's lifetime.
            fetchAction: async (actionId, pollSignal) => (await http.request(ActionDocument, { id: actionId }, { signal: pollSignal, attempts: 1 })).action,
            retry,
            pollIntervalMs,
            logger,
          },
          id,
          { timeoutMs, signal },
        ),
      );
      // A refusal's error carries the approver's comment and suggested payload; if the
      // state pushed to us lacks the deciding record, read the request once more.
      action = lacksDecidingRecord(pushed) ? await get(id).catch(() => pushed) : pushed;
    }
    const refusal = notApprovedError(action);
    if (refusal) throw refusal;
    return action as ApprovedActionRequest<P>;
  }

  async function requestApproval<P>(input: ActionInput<P>, options: WaitOptions = {}): Promise<ApprovedActionRequest<P>> {
    // Validate before submitting: a typo in the timeout must not leave a request behind.
    if (options.timeout !== undefined) toMilliseconds(options.timeout, 'timeout');
    const submitted = await submit(input, options);
    return awaitDecision<P>(submitted.id, options, submitted);
  }

  function wait<P = unknown>(id: string, options: WaitOptions = {}): Promise<ApprovedActionRequest<P>> {
    return awaitDecision<P>(id, options);
  }

  async function reportOutcome(id: string, outcome: Outcome, { signal }: CallOptions = {}): Promise<ActionRequest> {
    const { reportOutcome } = await withLifetime(signal, (linked) =>
      http.request(
        ReportOutcomeDocument,
        { id, input: { status: outcome.status, detail: outcome.detail, result: outcome.result } },
        {
          signal: linked,
          // A retry whose first attempt did land meets CONFLICT: the outcome is already there.
          recover: async (error) => {
            if (error.code !== 'CONFLICT') return undefined;
            const current = await get(id, { signal });
            return current.outcome?.status === outcome.status ? { reportOutcome: current } : undefined;
          },
        },
      ),
    );
    return reportOutcome;
  }

  async function cancel(id: string, reason?: string, { signal }: CallOptions = {}): Promise<ActionRequest> {
    const { cancelAction } = await withLifetime(signal, (linked) =>
      http.request(
        CancelActionDocument,
        { id, reason },
        {
          signal: linked,
          // As for outcomes: a retry meeting CONFLICT may find its first attempt done.
          recover: async (error) => {
            if (error.code !== 'CONFLICT') return undefined;
            const current = await get(id, { signal });
            return current.status === 'CANCELLED' ? { cancelAction: current } : undefined;
          },
        },
      ),
    );
    return cancelAction;
  }

  async function verifyReceipt(receipt: string | null, payload: unknown, expectations: ReceiptExpectations = {}, action?: ActionRequest): Promise<ReceiptClaims> {
    // The JWKS may be briefly unreachable (a restart): retry that, never a bad receipt.
    for (let attempt = 1; ; attempt++) {
      try {
        return await verifyWith(receipt, payload, receiptKeys, expectations, action);
      } catch (error) {
        if (!(error instanceof CountersignError) || !error.retryable || attempt >= retry.attempts) throw error;
        await sleep(backoffDelay(retry, attempt), lifetime.signal);
      }
    }
  }

  /** Outcome reports after the action ran must not fail the call: the side effect happened. */
  async function reportQuietly(id: string, outcome: Outcome): Promise<void> {
    try {
      await reportOutcome(id, outcome);
    } catch (error) {
      logger.error(`Countersign: could not report outcome ${outcome.status} of action ${id}: ${(error as Error).message}`, { actionId: id, outcome });
    }
  }

  async function guard<P, R>(input: ActionInput<P>, fn: (payload: P, action: ApprovedActionRequest<P>) => R | PromiseLike<R>, options: GuardOptions<R> = {}): Promise<R> {
    const asked = options.breakGlass === undefined ? input : { ...input, breakGlass: { justification: options.breakGlass } };
    const action = await requestApproval(asked, options);
    try {
      await verifyReceipt(action.receipt, action.approvedPayload, { actionId: action.id, actionType: input.type }, action);
    } catch (error) {
      // Fail closed: without a valid receipt this "approval" may be forged.
      if (error instanceof ReceiptVerificationError) await reportQuietly(action.id, { status: 'FAILED', detail: `Not run: ${error.message}` });
      throw error;
    }

    let result: R;
    try {
      result = await fn(action.approvedPayload, action);
    } catch (error) {
      await reportQuietly(action.id, { status: 'FAILED', detail: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    await reportQuietly(action.id, { status: 'SUCCEEDED', ...(options.outcome ? options.outcome(result) : { result: asJson(result) }) });
    return result;
  }

  function wrap<A, R>(fn: (args: A) => R | PromiseLike<R>, describe: (args: A) => ActionInput<A>, options?: GuardOptions<R>): (args: A) => Promise<R> {
    return function guarded(this: unknown, args: A): Promise<R> {
      const input = describe(args);
      return guard({ ...input, payload: input.payload === undefined ? args : input.payload }, (approved) => fn.call(this, approved), options);
    };
  }

  async function dispose(): Promise<void> {
    if (lifetime.signal.aborted) return;
    lifetime.abort(new CountersignError('The Countersign client was disposed', { code: 'DISPOSED' }));
    await subscriptions.dispose();
  }

  return {
    submit,
    requestApproval,
    wait,
    guard,
    wrap,
    reportOutcome,
    cancel,
    get,
    verifyReceipt: (receipt, payload, expectations) => verifyReceipt(receipt, payload, expectations),
    dispose,
  };
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** DENIED or CHANGES_REQUESTED without the decision that made it so. */
function lacksDecidingRecord(action: ActionRequest): boolean {
  const verdict = action.status === 'DENIED' ? 'DENY' : action.status === 'CHANGES_REQUESTED' ? 'REQUEST_CHANGES' : undefined;
  return verdict !== undefined && !action.decisions.some((decision) => decision.verdict === verdict);
}

/** The server's base URL, as the CLI and the README give it, means its `/graphql` endpoint. */
function graphqlEndpoint(url: string | URL): URL {
  const endpoint = new URL(url);
  if (endpoint.pathname === '' || endpoint.pathname === '/') endpoint.pathname = '/graphql';
  return endpoint;
}

function webSocketUrl(httpUrl: URL): URL {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** The result as JSON for the outcome record, or nothing when it has no JSON form. */
function asJson(result: unknown): unknown {
  if (result === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(result)) as unknown;
  } catch {
    return null;
  }
}
