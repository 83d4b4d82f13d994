import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { Context } from './context.js';
import { Latch, type Settlement } from '../shared/latch.js';
import { PUSH, isShareable, type PushSource } from '../events/push.js';

export { PUSH, shareable, type PushSource } from '../events/push.js';

/** A fresh context for one shared run, for a subscriber seen as `principal`. */
export type ContextFactory = (principal: Principal | null) => Context;

/**
 * Subscription events whose payload object is handed to many subscribers at once (a
 * request assigned to a role of a thousand approvers) are executed once per distinct
 * operation and kind of subscriber, and the one result goes to all of them — instead of a
 * thousand runs of the same resolvers producing the same JSON.
 *
 * Correctness rests on three things:
 * - Only payloads marked with {@link shareable} are shared, and a payload must then carry
 *   everything per-subscriber it is answered with (the queue stream hands out one object
 *   per event and value of `inQueue`, see `events/queue-stream.ts`): the source stream
 *   decides which subscribers see the same root.
 * - The key is the parsed document (one object per query text, `limits.ts`), the operation
 *   name, the variables, the payload object itself (so never one event's result for
 *   another) and the subscriber's principal kind.
 * - The shared run sees the first subscriber's principal through a proxy that lets it
 *   read `kind` only: a resolver that reads anything else of who is asking (id, name,
 *   roles, suspension — an ownership check, an error naming the caller) makes the result
 *   that subscriber's alone, and every other subscriber executes for itself, as before.
 *
 * The shared run gets a fresh context (its own EntityManager fork and loaders), not one
 * subscriber's: nothing from one subscriber's earlier emissions can leak into it.
 */

interface Outcome {
  result: ExecutionResult;
  /** False when the run read who was asking: the result is the first subscriber's alone. */
  shared: boolean;
}

/** Results handed to more than one subscriber (their JSON is made once: message-json.ts). */
const SHARED_RESULTS = new WeakSet<object>();

/** Whether `result` is one execution's result handed to every subscriber it reached alike. */
export function isSharedResult(result: object): boolean {
  return SHARED_RESULTS.has(result);
}

/** Results by payload, then by operation key. Collected with the payload. */
const outcomes = new WeakMap<object, Map<string, Latch<Outcome>>>();
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

function operationKey(args: ExecutionArgs, principal: Principal | null): string {
  let id = documentIds.get(args.document);
  if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++));
  return `${id}\u0000${args.operationName ?? ''}\u0000${principal?.kind ?? ''}\u0000${JSON.stringify(args.variableValues ?? null)}`;
}

/** The principal as a shared run sees it: reading anything but its kind calls `onRead`. */
function kindOnly(principal: Principal, onRead: () => void): Principal {
  return new Proxy(principal, {
    get(target, property, receiver) {
      if (property !== 'kind') onRead();
      return Reflect.get(target, property, receiver) as unknown;
    },
    has(target, property) {
      onRead();
      return Reflect.has(target, property);
    },
    ownKeys(target) {
      onRead();
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, property) {
      onRead();
      return Reflect.getOwnPropertyDescriptor(target, property);
    },
  });
}

async function executeShared(newContext: ContextFactory, args: ExecutionArgs, principal: Principal | null): Promise<Outcome> {
  let shared = true;
  const seen = principal ? kindOnly(principal, () => (shared = false)) : null;
  const contextValue = newContext(seen);
  const result = await execute({ ...args, contextValue });
  if (shared) SHARED_RESULTS.add(result);
  return { result, shared };
}

/** Who a subscription's operation runs for (its context's principal). */
function principalOf(args: ExecutionArgs): Principal | null {
  return (args.contextValue as Context | undefined)?.principal ?? null;
}

/**
 * One subscriber's execution of one event: shared with its peers when the payload allows.
 * `key` is the subscription's {@link operationKey}: the same for every event, so made once.
 * A latch, so that a shared result reaches every subscriber waiting for it in one pass.
 */
function executeEvent(newContext: ContextFactory, args: ExecutionArgs, payload: unknown, key: string): Latch<ExecutionResult> {
  const alone = () => Latch.of(execute({ ...args, rootValue: payload }));
  if (!isShareable(payload)) return alone();
  let byKey = outcomes.get(payload);
  if (!byKey) outcomes.set(payload, (byKey = new Map()));
  const pending = byKey.get(key);
  if (!pending) {
    const run = Latch.of(executeShared(newContext, { ...args, rootValue: payload }, principalOf(args)));
    byKey.set(key, run);
    return run.map((outcome) => outcome.result);
  }
  return pending.map((outcome) => (outcome.shared ? outcome.result : alone()), alone);
}

/**
 * One subscriber's response stream: each source event executed (and shared where it can
 * be). A class rather than closures: thousands of waiting subscribers each hold one.
 */
class ResponseStream implements AsyncGenerator<ExecutionResult, void, void> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly newContext: ContextFactory,
  ) {}

  /** The operation's key ({@link operationKey}), made at its first event. */
  private key?: string;

  private async map(step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, void>> {
    if (step.done) return { value: undefined, done: true };
    try {
      const key = (this.key ??= operationKey(this.args, principalOf(this.args)));
      return { value: await executeEvent(this.newContext, this.args, step.value, key).promise(), done: false };
    } catch (error) {
      await this.source.return?.().catch(() => undefined);
      throw error;
    }
  }

  async next(): Promise<IteratorResult<ExecutionResult, void>> {
    return this.map(await this.source.next());
  }

  async return(): Promise<IteratorResult<ExecutionResult, void>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    if (this.source.throw) return this.map(await this.source.throw(error));
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function isPushSource(source: AsyncIterator<unknown>): source is PushSource<unknown> {
  return PUSH in source;
}

/**
 * One subscriber's response stream when both ends can be pushed to: the source pushes each
 * event, its execution is shared where it can be (a latch), and each result is sent on the
 * subscriber's socket by `send` as soon as it and every earlier one are ready — in the same
 * pass that settles a shared result for all its subscribers.
 *
 * Pulled instead (graphql-ws `for await` over {@link ResponseStream}), every subscriber
 * climbed its own chain of promises from the event to the send: the first of a thousand
 * sends waited for all thousand chains' first steps, and each hop made a promise. Here nothing per subscriber is a promise.
 *
 * To graphql-ws this is a stream whose `next` settles only at the end: done when the
 * subscriber unsubscribes or disconnects, rejected (sent as the operation's error) when an
 * event could not be executed. Results are sent in the order their events arrived.
 *
 * What waits here is the server's own work (events whose reads or execution are under
 * way: a burst of thousands is normal), not the subscriber's: a subscriber who stops
 * reading leaves its messages in its socket's buffer, which is what is bounded (ws.ts).
 */
class PushedResponse implements AsyncGenerator<ExecutionResult, void, void> {
  /** Results of events that arrived, oldest first, until sent. */
  private readonly unsent: { settlement?: Settlement<ExecutionResult> }[] = [];
  private ended = false;
  private readonly end: Promise<IteratorResult<ExecutionResult, void>>;
  private finish!: (failure?: { error: unknown }) => void;
  private readonly key: string;

  constructor(
    private readonly source: PushSource<unknown>,
    private readonly args: ExecutionArgs,
    private readonly newContext: ContextFactory,
    private readonly send: (result: ExecutionResult) => void,
  ) {
    this.key = operationKey(args, principalOf(args));
    this.end = new Promise((resolve, reject) => {
      this.finish = (failure) => (failure ? reject(failure.error) : resolve({ value: undefined, done: true }));
    });
    // graphql-ws may never call `next` if the subscriber is gone before it starts.
    this.end.catch(() => undefined);
    source[PUSH]((payload) => this.deliver(payload));
  }

  private deliver(payload: Latch<unknown>): void {
    if (this.ended) return;
    const slot: { settlement?: Settlement<ExecutionResult> } = {};
    this.unsent.push(slot);
    payload.on((step) => {
      if (!step.ok) return this.fill(slot, step);
      let result: Latch<ExecutionResult>;
      try {
        result = executeEvent(this.newContext, this.args, step.value, this.key);
      } catch (error) {
        // graphql-js throws (rather than answers errors) only for arguments it cannot run.
        return this.fill(slot, { ok: false, error });
      }
      result.on((settlement) => this.fill(slot, settlement));
    });
  }

  private fill(slot: { settlement?: Settlement<ExecutionResult> }, settlement: Settlement<ExecutionResult>): void {
    slot.settlement = settlement;
    while (!this.ended && this.unsent[0]?.settlement) {
      const ready = this.unsent.shift()!.settlement!;
      if (!ready.ok) return this.stop({ error: ready.error });
      try {
        this.send(ready.value);
      } catch (error) {
        return this.stop({ error });
      }
    }
  }

  private stop(failure?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    this.unsent.length = 0;
    this.source.return?.().catch(() => undefined);
    this.finish(failure);
  }

  next(): Promise<IteratorResult<ExecutionResult, void>> {
    return this.end;
  }

  async return(): Promise<IteratorResult<ExecutionResult, void>> {
    this.stop();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    this.stop();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * graphql-js's `subscribe` (source stream, then each event executed with the event as
 * root) with the execution of shareable events shared between subscribers. A source that
 * can push, on a connection that can be sent to directly (`Context.sendNext`), is pushed
 * ({@link PushedResponse}); any other is pulled ({@link ResponseStream}).
 */
export function sharedSubscribe(newContext: ContextFactory) {
  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const send = (args.contextValue as Context | undefined)?.sendNext;
    if (send && isPushSource(iterator)) return new PushedResponse(iterator, args, newContext, send);
    return new ResponseStream(iterator, args, newContext);
  };
}
