import type { ActionRequestType } from '../actions/action.types.js';
import { ACTION_COLUMNS, toActionView, type ActionRow } from '../actions/action.view.js';
import { HOLDER_COLUMNS } from '../actions/relations.js';
import type { SqlExecutor } from '../db/sql.js';
import { PUSH, shareable, type PushSource } from './push.js';
import { Latch } from '../shared/latch.js';
import type { ChangeEvent, EventBus } from './event-bus.js';

/** What every subscriber told of one change reads: the request now, and who has it queued. */
export interface QueueReads {
  readonly action: Promise<ActionRequestType | null>;
  readonly queuedFor: Promise<Set<string>>;
}

/** One approval-queue event as handed to the `approvalQueueUpdated` subscription. */
export interface QueueUpdate {
  actionId: string;
  reads: QueueReads;
  /**
   * Whether the request is in the subscriber's queue now, when their selection asks. Every
   * subscriber with the same answer gets the same object, and every subscriber whose
   * selection does not ask the same object: each is executed once for all of them
   * (graphql/shared-execution.ts).
   */
  inQueue?: boolean;
  /** Set instead of `inQueue` when who has it could not be read: answered (or failed) per subscriber. */
  approverId?: string;
}

/**
 * How many requests' latest reads to keep, and for how long: each holds a request view with
 * its assignees, and is only worth keeping while the events it serves are being delivered.
 */
const MAX_LATEST_READS = 128;
const LATEST_READS_MS = 5_000;

/**
 * Approvers' queue events for the subscribers of one server instance, with the reads they
 * share. Owned by the instance (services.ts): two instances in one process never share a read.
 */
export class QueueStream {
  /** The newest reads per request, which events arriving before its statement is sent join. */
  private readonly latestReads = new Map<string, ChangeReads>();
  /** Reads by change, for the parts of one event split over several payloads: one commit, one read. */
  private readonly changeReads = new Map<string, ChangeReads>();
  private readonly eventReads = new WeakMap<ChangeEvent, ChangeReads>();
  private prefetching = false;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly events: EventBus,
  ) {}

  /**
   * The queue events of `approverId`, as a source the subscription's response stream pushes
   * from (graphql/shared-execution.ts). `withInQueue`: the selection asks `inQueue`, so each
   * change is read before it is sent.
   */
  subscribe(approverId: string, withInQueue: boolean): PushSource<QueueUpdate> & AsyncIterableIterator<QueueUpdate> {
    this.startPrefetching();
    return new QueueUpdates(this, this.events, approverId, withInQueue);
  }

  /**
   * Starts each change's read as it arrives, when someone here is subscribed to a queue it
   * changes: the bus hands the event to the subscribers in the next turn (event-bus.ts), so
   * the read is on its way while they are handed it, not after.
   */
  private startPrefetching(): void {
    if (this.prefetching) return;
    this.prefetching = true;
    const { events } = this;
    events.onQueueChange((event) => {
      if (event.queueChanged.some((approverId) => events.hasQueueListener(approverId))) this.readsFor(event).prefetch();
    });
  }

  /** The reads that show `event`, which is arriving now (called by each subscriber it reaches). */
  readsFor(event: ChangeEvent): ChangeReads {
    let reads = this.eventReads.get(event);
    if (reads) return reads;
    if (event.change) reads = this.changeReads.get(event.change);
    if (!reads) {
      const latest = this.latestReads.get(event.actionId);
      if (latest?.open) {
        reads = latest;
      } else {
        reads = new ChangeReads(this.sql, event.actionId, (failed) => {
          if (this.latestReads.get(failed.actionId) === failed) this.latestReads.delete(failed.actionId);
        });
        remember(this.latestReads, event.actionId, reads);
      }
    }
    if (event.change) remember(this.changeReads, event.change, reads);
    this.eventReads.set(event, reads);
    return reads;
  }
}

function remember(map: Map<string, ChangeReads>, key: string, reads: ChangeReads): void {
  if (map.get(key) === reads) return;
  map.delete(key);
  map.set(key, reads);
  const stale = Date.now() - LATEST_READS_MS;
  for (const [oldest, old] of map) {
    if (map.size <= MAX_LATEST_READS && old.madeAt >= stale) break;
    map.delete(oldest);
  }
}

/**
 * What every subscriber told of a change needs — the request and who has it queued — read
 * once for all of them (a role of a thousand is one read, then a thousand deliveries), and
 * only if a selection asks.
 *
 * Events join a read while its statement is unsent (it is sent at the end of the turn that
 * asked): it then shows each of them at least the state they announce. The parts of one
 * split event (the same `change`, event-bus.ts) share one read whenever they arrive, since
 * they announce one commit; any other event arriving later gets a read of its own.
 */
export class ChangeReads implements QueueReads {
  private statement?: Promise<{ action: ActionRequestType | null; queuedFor: Set<string> }>;
  private actionRead?: Promise<ActionRequestType | null>;
  private queuedForRead?: Promise<Set<string>>;
  private updatesByQueue?: Latch<{ queued: Set<string>; inQueue: QueueUpdate; notInQueue: QueueUpdate }>;
  private updateWithoutInQueue?: Latch<QueueUpdate>;
  private sent = false;

  /** When it was made: later events no longer join it after {@link LATEST_READS_MS}. */
  readonly madeAt = Date.now();

  constructor(
    private readonly sql: SqlExecutor,
    readonly actionId: string,
    /** Called when the read fails: a failed read is not handed to later events. */
    private readonly onFailed: (reads: ChangeReads) => void,
  ) {}

  /** Whether an event arriving now is shown by this read: its statement is not sent yet. */
  get open(): boolean {
    return !this.sent;
  }

  /**
   * One statement: the request with its agent and decisions (so that executing a selection
   * of them waits on nothing more), and who has it queued — its active assignees, as bare
   * ids. The assignees with their approvers are left out: a request assigned to a role of
   * a thousand would build, send and parse all of them for every change, where no
   * selection the CLI or SDK sends asks for them. A selection that does gets them from the
   * `assignees` resolver, read once in the shared execution (a moment later than the rest:
   * the state of a later commit, never an earlier one).
   */
  private get read(): Promise<{ action: ActionRequestType | null; queuedFor: Set<string> }> {
    if (!this.statement) {
      this.statement = new Promise<void>((resolve) => queueMicrotask(resolve))
        .then(() => {
          this.sent = true;
          return this.sql.execute<ActionRow[]>(`select ${ACTION_COLUMNS}, ${HOLDER_COLUMNS} from "action_request" a where a."id" = ?`, [this.actionId]);
        })
        .then(([row]) => ({
          action: row ? toActionView(row) : null,
          queuedFor: new Set(row?.rel_holders ?? []),
        }));
      // A failed read is reported by the fields that need it (nobody selecting it is no crash).
      this.statement.catch(() => this.onFailed(this));
    }
    return this.statement;
  }

  /** Starts the read now (it is sent at the end of this turn), for subscribers about to be told. */
  prefetch(): void {
    void this.read;
  }

  get action(): Promise<ActionRequestType | null> {
    return (this.actionRead ??= this.read.then((r) => r.action));
  }

  get queuedFor(): Promise<Set<string>> {
    return (this.queuedForRead ??= this.read.then((r) => r.queuedFor));
  }

  /** The payload for subscribers whose selection does not ask `inQueue`: no read needed to send it. */
  get withoutInQueue(): Latch<QueueUpdate> {
    return (this.updateWithoutInQueue ??= Latch.of(shareable<QueueUpdate>({ actionId: this.actionId, reads: this })));
  }

  /** The payload for `approverId` when their selection asks `inQueue`. */
  forApprover(approverId: string): Latch<QueueUpdate> {
    const reads: ChangeReads = this;
    this.updatesByQueue ??= Latch.of(this.queuedFor).map((queued) => ({
      queued,
      inQueue: shareable<QueueUpdate>({ actionId: this.actionId, reads, inQueue: true }),
      notInQueue: shareable<QueueUpdate>({ actionId: this.actionId, reads, inQueue: false }),
    }));
    return this.updatesByQueue.map<QueueUpdate>(
      (updates) => (updates.queued.has(approverId) ? updates.inQueue : updates.notInQueue),
      // The read failed: this subscriber is executed alone, and `inQueue` and `action` report the error.
      () => ({ actionId: this.actionId, reads, approverId }),
    );
  }
}

/**
 * An approver's queue changes. Each event's payload is made as it arrives (its reads shared
 * with every subscriber the event reaches) and pushed to the response stream, which sends it
 * once it is ready (graphql/shared-execution.ts). A subscriber who stops reading is bounded
 * by its socket's buffer (graphql/ws.ts). It is never pulled: every subscription is served
 * over graphql-ws, which the response stream sends to directly.
 */
class QueueUpdates implements PushSource<QueueUpdate>, AsyncIterableIterator<QueueUpdate> {
  /** Payloads that arrived before the response stream said where they go. */
  private readonly backlog: Latch<QueueUpdate>[] = [];
  private deliver?: (payload: Latch<QueueUpdate>) => void;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly stream: QueueStream,
    events: EventBus,
    private readonly approverId: string,
    private readonly withInQueue: boolean,
  ) {
    this.unsubscribe = events.onQueue(approverId, (event) => this.arrived(event));
  }

  private arrived(event: ChangeEvent): void {
    if (this.closed) return;
    const reads = this.stream.readsFor(event);
    const payload = this.withInQueue ? reads.forApprover(this.approverId) : reads.withoutInQueue;
    if (this.deliver) this.deliver(payload);
    else this.backlog.push(payload);
  }

  [PUSH](deliver: (payload: Latch<QueueUpdate>) => void): void {
    this.deliver = deliver;
    for (const payload of this.backlog.splice(0)) deliver(payload);
  }

  async next(): Promise<IteratorResult<QueueUpdate>> {
    this.close();
    throw new Error('approvalQueueUpdated is pushed to its subscriber over graphql-ws (graphql/shared-execution.ts), never pulled');
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.backlog.length = 0;
  }

  async return(): Promise<IteratorResult<QueueUpdate>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<QueueUpdate> {
    return this;
  }
}
