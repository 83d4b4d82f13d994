import { ApprovalTimeoutError, CountersignError, type ErrorCode } from './errors.js';
import { backoffDelay, type ResolvedRetryPolicy } from './retry.js';
import { setLongTimeout, sleep } from './timers.js';
import type { SubscriptionTransport } from './transport/subscriptions.js';
import { isTerminal, type ActionRequest, type Logger } from './types.js';

export interface WaitDependencies {
  subscriptions: SubscriptionTransport;
  /** One HTTP attempt at `action(id)`; the poll loop is the retry. */
  fetchAction(id: string, signal: AbortSignal): Promise<ActionRequest>;
  retry: ResolvedRetryPolicy;
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Failures a wait cannot outlast: the key is refused, the request is not ours, or the
 * server does not understand the question. Anything else (network, restarts, a server
 * error) is retried until the decision, the timeout or the signal.
 */
const FATAL_FOR_WAIT: ReadonlySet<ErrorCode> = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'UNKNOWN', 'DISPOSED']);

/**
 * Resolves with the request once it reaches a terminal status; rejects with
 * {@link ApprovalTimeoutError} after `timeoutMs`, with `signal.reason` on abort, or with a
 * {@link CountersignError} that waiting longer cannot fix.
 *
 * The decision arrives over `actionUpdated`. When the subscription ends or errors without
 * a terminal state it is renewed with backoff (graphql-ws also renews it on every
 * reconnect), and since the subscription first emits the current state, a decision made
 * meanwhile is received then. While the subscription is not delivering (socket down,
 * reconnecting, or refused by a proxy), `action(id)` is polled over HTTP every
 * `pollIntervalMs`, so a decision is seen even if the WebSocket never comes back.
 */
export function waitForTerminal(deps: WaitDependencies, id: string, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<ActionRequest> {
  const { subscriptions, fetchAction, retry, pollIntervalMs, logger } = deps;
  const { timeoutMs, signal } = options;

  return new Promise<ActionRequest>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    // Aborted when the wait settles: stops the poll loop and pending resubscriptions.
    const done = new AbortController();
    const cleanups: (() => void)[] = [];
    let lastSeen: ActionRequest | undefined;
    // True while the subscription delivers: it has emitted since it was (re)established
    // and the socket has not closed since.
    let live = false;
    let failures = 0;

    const settle = (finish: () => void) => {
      if (done.signal.aborted) return;
      done.abort();
      for (const cleanup of cleanups.splice(0)) cleanup();
      finish();
    };
    const observe = (action: ActionRequest) => {
      lastSeen = action;
      if (isTerminal(action)) settle(() => resolve(action));
    };
    const fail = (error: unknown) => settle(() => reject(error));
    const isFatal = (error: unknown) => !(error instanceof CountersignError) || FATAL_FOR_WAIT.has(error.code);

    if (signal) {
      const onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (timeoutMs !== undefined) {
      cleanups.push(setLongTimeout(() => fail(new ApprovalTimeoutError({ actionId: id, action: lastSeen, timeoutMs })), timeoutMs));
    }

    let unsubscribe = () => {};
    const subscribe = () => {
      unsubscribe = subscriptions.watch(id, {
        next(action) {
          live = true;
          failures = 0;
          observe(action);
        },
        error(error) {
          live = false;
          if (isFatal(error)) lastLook(error);
          else resubscribeLater(`${error.code}: ${error.message}`);
        },
        complete() {
          live = false;
          resubscribeLater('the server ended the subscription before a decision');
        },
      });
    };
    // A socket closed because the agent was suspended may close before the CANCELLED push
    // arrives; one read over HTTP tells the request's end before the wait gives up.
    const lastLook = (error: unknown) => {
      fetchAction(id, done.signal).then(
        (action) => {
          observe(action);
          fail(error);
        },
        () => fail(error),
      );
    };
    const resubscribeLater = (why: string) => {
      if (done.signal.aborted) return;
      failures += 1;
      const delay = backoffDelay(retry, failures);
      logger.warn(`Countersign: waiting on action ${id}: ${why}; subscribing again in ${delay} ms`, { actionId: id });
      sleep(delay, done.signal).then(subscribe, () => {});
    };
    cleanups.push(() => unsubscribe());
    cleanups.push(
      subscriptions.onConnectionChange((connected) => {
        if (!connected) live = false;
      }),
    );
    subscribe();

    const poll = async () => {
      for (;;) {
        await sleep(Math.round(pollIntervalMs * (0.8 + Math.random() * 0.4)), done.signal);
        if (live) continue;
        try {
          logger.debug(`Countersign: WebSocket not delivering; polling action ${id}`, { actionId: id });
          observe(await fetchAction(id, done.signal));
        } catch (error) {
          if (done.signal.aborted) return;
          if (isFatal(error)) fail(error);
          else logger.debug(`Countersign: polling action ${id} failed: ${(error as Error).message}`, { actionId: id });
        }
      }
    };
    // The loop ends by rejecting when `done` aborts; nothing to report then.
    if (pollIntervalMs > 0) poll().catch(() => {});
  });
}
