import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { Resolver, Subscription, Arg, Root, ID, ObjectType, Field, Ctx, FieldResolver } from 'type-graphql';
import { PrincipalKind, TERMINAL_STATUSES } from '../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { toActionView } from '../actions/action.view.js';
import { findReadableAction, readAction } from '../actions/access.js';
import { ACTION_COLUMNS, type ActionRow } from '../actions/action.view.js';
import { HOLDER_COLUMNS } from '../actions/relations.js';
import { createLoaders } from '../actions/loaders.js';
import { BoundedStream } from './bounded-stream.js';
import { PUSH, shareable, type PushSource } from '../graphql/shared-execution.js';
import { Latch } from '../shared/latch.js';
import type { ChangeEvent } from './event-bus.js';
import type { Services } from '../services.js';

@ObjectType('ApprovalQueueUpdate', { description: 'A request entered, left or changed in your approval or review queue.' })
export class ApprovalQueueUpdate {
  @Field(() => ID) actionId!: string;
  /** What every subscriber told of this change reads, read once for all of them. */
  reads!: ChangeReads;
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
 * What every subscriber told of a change needs — the request and who has it in their
 * queue now — read once for all of them, not once per subscriber, and only if a selection
 * asks: a request assigned to a role of a thousand people is one read, then a thousand
 * deliveries.
 *
 * One set of reads also serves every event about the same request that arrives before its
 * statement is sent: such a read shows each of them at least the state it announces. The
 * statement is sent at the end of the turn of the event loop that asked for it, so the
 * events that arrive together (the NOTIFY payloads of one burst of commits) share it. A
 * change that reaches hundreds of queues arrives as several events (one per NOTIFY payload,
 * event-bus.ts, all parts naming the same `change`): they share one read and one set of
 * payloads whenever they arrive, since they announce one commit. Any other event that
 * arrives once the statement is sent may announce a commit it would not show, so it never
 * joins.
 */
class ChangeReads {
  private read_?: Promise<{ action: ActionRequestType | null; queuedFor: Set<string> }>;
  private action_?: Promise<ActionRequestType | null>;
  private queuedFor_?: Promise<Set<string>>;
  private updates_?: Latch<{ queued: Set<string>; inQueue: ApprovalQueueUpdate; notInQueue: ApprovalQueueUpdate }>;
  private plain_?: Latch<ApprovalQueueUpdate>;
  private sent = false;

  /** When it was made: later events no longer join it after {@link LATEST_READS_MS}. */
  readonly madeAt = Date.now();

  constructor(
    private readonly services: Services,
    readonly actionId: string,
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
    if (!this.read_) {
      this.read_ = new Promise<void>((resolve) => queueMicrotask(resolve))
        .then(() => {
          this.sent = true;
          return this.services.sql.execute<ActionRow[]>(`select ${ACTION_COLUMNS}, ${HOLDER_COLUMNS} from "action_request" a where a."id" = ?`, [this.actionId]);
        })
        .then(([row]) => ({
          action: row ? toActionView(row) : null,
          queuedFor: new Set(row?.rel_holders ?? []),
        }));
      // A failed read is reported by the fields that need it (nobody selecting it is no
      // crash), and is not handed to later events.
      this.read_.catch(() => {
        if (latestReads.get(this.actionId) === this) latestReads.delete(this.actionId);
      });
    }
    return this.read_;
  }

  /** Starts the read now (it is sent at the end of this turn), for subscribers about to be told. */
  prefetch(): void {
    void this.read;
  }

  get action(): Promise<ActionRequestType | null> {
    return (this.action_ ??= this.read.then((r) => r.action));
  }

  get queuedFor(): Promise<Set<string>> {
    return (this.queuedFor_ ??= this.read.then((r) => r.queuedFor));
  }

  /** The payload for subscribers whose selection does not ask `inQueue`: no read needed to send it. */
  get plain(): Latch<ApprovalQueueUpdate> {
    return (this.plain_ ??= Latch.of(shareable<ApprovalQueueUpdate>({ actionId: this.actionId, reads: this })));
  }

  /** The payload for `approverId` when their selection asks `inQueue`. */
  forApprover(approverId: string): Latch<ApprovalQueueUpdate> {
    const reads: ChangeReads = this;
    this.updates_ ??= Latch.of(this.queuedFor).map((queued) => ({
      queued,
      inQueue: shareable<ApprovalQueueUpdate>({ actionId: this.actionId, reads, inQueue: true }),
      notInQueue: shareable<ApprovalQueueUpdate>({ actionId: this.actionId, reads, inQueue: false }),
    }));
    return this.updates_.map<ApprovalQueueUpdate>(
      (updates) => (updates.queued.has(approverId) ? updates.inQueue : updates.notInQueue),
      // The read failed: this subscriber is executed alone, and `inQueue` and `action` report the error.
      () => ({ actionId: this.actionId, reads, approverId }),
    );
  }
}

const latestReads = new Map<string, ChangeReads>();
/** Reads by change, for the parts of one event split over several payloads: one commit, one read. */
const changeReads = new Map<string, ChangeReads>();
const eventReads = new WeakMap<ChangeEvent, ChangeReads>();

/**
 * How many requests' latest reads to keep, and for how long: each holds a request view with
 * its assignees, and is only worth keeping while the events it serves are being delivered.
 */
const MAX_LATEST_READS = 128;
const LATEST_READS_MS = 5_000;

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

/** The reads that show `event`, which is arriving now (called by each listener it reaches). */
function readsFor(services: Services, event: ChangeEvent): ChangeReads {
  let reads = eventReads.get(event);
  if (reads) return reads;
  if (event.change) reads = changeReads.get(event.change);
  if (!reads) {
    const latest = latestReads.get(event.actionId);
    if (latest?.open) {
      reads = latest;
    } else {
      reads = new ChangeReads(services, event.actionId);
      remember(latestReads, event.actionId, reads);
    }
  }
  if (event.change) remember(changeReads, event.change, reads);
  eventReads.set(event, reads);
  return reads;
}

@Resolver(() => ApprovalQueueUpdate)
export class SubscriptionsResolver {
  @Subscription(() => ActionRequestType, {
    description: 'The request now, at once, then after every change; completes after a terminal status. Agents: their own requests; approvers: those routed to them; admins: any.',
    subscribe: ({ args, context }) => actionUpdates(context as Context, String(args.id)),
  })
  actionUpdated(@Root() action: ActionRequestType, @Arg('id', () => ID) _id: string): ActionRequestType {
    return action;
  }

  @Subscription(() => ApprovalQueueUpdate, {
    description: 'Tells an approver each time a request is assigned to them, taken from them (decided, escalated, delegated, cancelled) or changes.',
    subscribe: ({ context, info }) => queueUpdates(context as Context, selects(info, 'inQueue')),
  })
  approvalQueueUpdated(@Root() update: ApprovalQueueUpdate): ApprovalQueueUpdate {
    return update;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the request is in your approval or review queue now.' })
  async inQueue(@Root() update: ApprovalQueueUpdate, @Ctx() ctx: Context): Promise<boolean> {
    if (update.inQueue !== undefined) return update.inQueue;
    // Payloads for selections without `inQueue` carry neither; reaching here with one is a bug, not a "no".
    if (update.approverId === undefined) throw new Error('inQueue was asked of a payload prepared for a selection without it');
    return (await update.reads.queuedFor).has(update.approverId);
  }

  @FieldResolver(() => ActionRequestType, { nullable: true, description: 'The request as it is now.' })
  action(@Root() update: ApprovalQueueUpdate, @Ctx() ctx: Context): Promise<ActionRequestType | null> {
    return update.reads.action;
  }
}

/**
 * Each change re-reads the request (events only say where to look), so the subscriber
 * always gets the latest committed state. Bursts coalesce: several changes while a read
 * is in flight produce one more read, never a backlog.
 */
async function* actionUpdates(ctx: Context, id: string): AsyncGenerator<ActionRequestType> {
  const principal = requirePrincipal(ctx);
  const { events } = ctx.services;
  const stream = new BoundedStream<true>(1, () => undefined);
  let dirty = false;
  const wake = () => {
    if (!dirty) {
      dirty = true;
      stream.push(true);
    }
  };
  // Listening starts before the first read: a change that commits while the request is
  // being read is then read again after it, instead of falling between the read and the
  // listening, which left the subscriber waiting on a state that had already moved on.
  stream.onClose(events.onAction(id, wake));
  stream.onClose(events.onResync(wake));
  try {
    // The request and its relations (agent, decisions) are one plain-row read per emission:
    // thousands of agents subscribe at once when they start waiting, and an ORM entity per
    // subscribe left its garbage behind in the heap. The assignees are left to their resolver
    // (the SDK's selection does not ask for them): a request routed to a role of a thousand
    // would build all their JSON for every change.
    let row: ActionRow | null = await findReadableAction(ctx.services.sql, principal, id, HOLDER_COLUMNS);
    let lastSeen = '';
    for (;;) {
      dirty = false;
      if (!row) return;
      // One subscription lives across many changes: give each emission a fresh
      // EntityManager and fresh batch loaders (for the relations not read with the row),
      // or they would be served from the first emission's cache.
      ctx.em = ctx.services.orm.em.fork();
      ctx.loaders = createLoaders(ctx.em, ctx.principal);
      const view = toActionView(row);
      row = null;
      const version = `${view.updatedAt.getTime()}:${view.status}:${view.reviewStatus}:${view.outcome?.status ?? ''}`;
      if (version !== lastSeen) {
        lastSeen = version;
        yield view;
      }
      if (TERMINAL_STATUSES.has(view.status)) return;
      // Thousands of agents wait like this: between changes hold only the version string,
      // not the row, its EntityManager or its loaders.
      park(ctx);
      const next = await stream.next();
      if (next.done) return;
      row = await readAction(ctx.services.sql, id, HOLDER_COLUMNS);
    }
  } finally {
    stream.close();
  }
}

const parkedLoaders = new WeakMap<object, Context['loaders']>();

/** Points a waiting subscription's context at shared, empty stand-ins until its next emission. */
function park(ctx: Context): void {
  const root = ctx.services.orm.em;
  let loaders = parkedLoaders.get(root);
  // Nobody's: they read no request while parked.
  if (!loaders) parkedLoaders.set(root, (loaders = createLoaders(root, null)));
  ctx.em = root;
  ctx.loaders = loaders;
}

/**
 * Whether the subscription's selection may ask for `field` of its root: fragments are
 * followed, and anything not understood counts as yes (a yes only costs a read up front).
 */
function selects(info: GraphQLResolveInfo, field: string): boolean {
  const visit = (selections: readonly SelectionNode[], depth: number): boolean =>
    selections.some((node) => {
      if (node.kind === Kind.FIELD) return node.name.value === field;
      if (depth > 20) return true;
      if (node.kind === Kind.INLINE_FRAGMENT) return visit(node.selectionSet.selections, depth + 1);
      const fragment = info.fragments[node.name.value];
      return fragment ? visit(fragment.selectionSet.selections, depth + 1) : true;
    });
  return info.fieldNodes.some((node) => (node.selectionSet ? visit(node.selectionSet.selections, 0) : true));
}

/**
 * An approver's queue changes. Each event's payload is made as it arrives (its reads shared
 * with every subscriber the event reaches) and pushed to the response stream, which sends it
 * once it is ready (graphql/shared-execution.ts). A subscriber who stops reading is bounded
 * by its socket's buffer (graphql/ws.ts). It is never pulled: every subscription is served
 * over graphql-ws, which the response stream sends to directly.
 */
class QueueUpdates implements PushSource<ApprovalQueueUpdate>, AsyncIterableIterator<ApprovalQueueUpdate> {
  /** Payloads that arrived before the response stream said where they go. */
  private readonly backlog: Latch<ApprovalQueueUpdate>[] = [];
  private deliver?: (payload: Latch<ApprovalQueueUpdate>) => void;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly approverId: string,
    /** Whether the selection asks `inQueue`: then each change is read before it is sent. */
    private readonly withInQueue: boolean,
  ) {
    this.unsubscribe = services.events.onQueue(approverId, (event) => this.arrived(event));
  }

  private arrived(event: ChangeEvent): void {
    if (this.closed) return;
    const reads = readsFor(this.services, event);
    const payload = this.withInQueue ? reads.forApprover(this.approverId) : reads.plain;
    if (this.deliver) this.deliver(payload);
    else this.backlog.push(payload);
  }

  [PUSH](deliver: (payload: Latch<ApprovalQueueUpdate>) => void): void {
    this.deliver = deliver;
    for (const payload of this.backlog.splice(0)) deliver(payload);
  }

  async next(): Promise<IteratorResult<ApprovalQueueUpdate>> {
    this.close();
    throw new Error('approvalQueueUpdated is pushed to its subscriber over graphql-ws (graphql/shared-execution.ts), never pulled');
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.backlog.length = 0;
  }

  async return(): Promise<IteratorResult<ApprovalQueueUpdate>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ApprovalQueueUpdate> {
    return this;
  }
}

/** Buses whose queue changes start their shared read before the approvers hear of them. */
const prefetching = new WeakSet<Services['events']>();

/**
 * Starts each change's read as it arrives, when someone here is subscribed to a queue it
 * changes: the bus hands the event to the subscribers in the next turn (event-bus.ts), while
 * the read is on its way — for a role of a thousand, ~2 ms of handing out not waited for.
 */
function prefetchReads(services: Services): void {
  const { events } = services;
  if (prefetching.has(events)) return;
  prefetching.add(events);
  events.onQueueChange((event) => {
    if (event.queueChanged.some((approverId) => events.hasQueueListener(approverId))) readsFor(services, event).prefetch();
  });
}

function queueUpdates(ctx: Context, withInQueue: boolean): AsyncIterable<ApprovalQueueUpdate> {
  const approver = requireKind(ctx, PrincipalKind.APPROVER);
  prefetchReads(ctx.services);
  return new QueueUpdates(ctx.services, approver.id, withInQueue);
}
