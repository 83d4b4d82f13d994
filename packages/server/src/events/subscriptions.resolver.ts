import { Resolver, Subscription, Arg, Root, ID, ObjectType, Field, Ctx, FieldResolver } from 'type-graphql';
import { PrincipalKind, TERMINAL_STATUSES } from '../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { toActionView } from '../actions/action.view.js';
import { findReadableAction } from '../actions/access.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { createLoaders } from '../graphql/loaders.js';
import { BoundedStream } from './bounded-stream.js';
import type { ChangeEvent } from './event-bus.js';
import type { Services } from '../services.js';

/** How far a subscriber may fall behind before it is dropped. */
const MAX_PENDING_EVENTS = 1000;

@ObjectType('ApprovalQueueUpdate', { description: 'A request entered, left or changed in your approval or review queue.' })
export class ApprovalQueueUpdate {
  @Field(() => ID) actionId!: string;
  /** The subscriber, to answer `inQueue` for them. */
  approverId!: string;
  /** The change event, shared by every subscriber it reached on this instance. */
  event!: ChangeEvent;
}

interface EventReads {
  action: Promise<ActionRequestType | null>;
  queuedFor: Promise<Set<string>>;
}

/**
 * What every subscriber told of one change needs — the request and who has it in their
 * queue now — read once per change, not once per subscriber: a request assigned to a role
 * of a thousand people is one read, then a thousand deliveries.
 */
const eventReads = new WeakMap<ChangeEvent, EventReads>();

function readsFor(services: Services, event: ChangeEvent): EventReads {
  let reads = eventReads.get(event);
  if (!reads) {
    const em = services.orm.em.fork();
    reads = {
      action: em.findOne(ActionRequest, { id: event.actionId }).then((a) => (a ? toActionView(a) : null)),
      queuedFor: services.orm.em
        .fork()
        .execute<{ approver_id: string }[]>('select "approver_id" from "assignment" where "action_id" = ? and "active"', [event.actionId])
        .then((rows) => new Set(rows.map((r) => r.approver_id))),
    };
    eventReads.set(event, reads);
  }
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
    subscribe: ({ context }) => queueUpdates(context as Context),
  })
  approvalQueueUpdated(@Root() update: ApprovalQueueUpdate): ApprovalQueueUpdate {
    return update;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the request is in your approval or review queue now.' })
  async inQueue(@Root() update: ApprovalQueueUpdate, @Ctx() ctx: Context): Promise<boolean> {
    return (await readsFor(ctx.services, update.event).queuedFor).has(update.approverId);
  }

  @FieldResolver(() => ActionRequestType, { nullable: true, description: 'The request as it is now.' })
  action(@Root() update: ApprovalQueueUpdate, @Ctx() ctx: Context): Promise<ActionRequestType | null> {
    return readsFor(ctx.services, update.event).action;
  }
}

/**
 * Each change re-reads the request (events only say where to look), so the subscriber
 * always gets the latest committed state. Bursts coalesce: several changes while a read
 * is in flight produce one more read, never a backlog.
 */
async function* actionUpdates(ctx: Context, id: string): AsyncGenerator<ActionRequestType> {
  const principal = requirePrincipal(ctx);
  await findReadableAction(ctx.em.fork(), principal, id);
  const { events } = ctx.services;
  const stream = new BoundedStream<true>(1, () => undefined);
  let dirty = false;
  const wake = () => {
    if (!dirty) {
      dirty = true;
      stream.push(true);
    }
  };
  stream.onClose(events.onAction(id, wake));
  stream.onClose(events.onResync(wake));
  try {
    let lastSeen = '';
    for (;;) {
      dirty = false;
      // One subscription lives across many changes: give each emission a fresh
      // EntityManager and fresh batch loaders, or relations (decisions, assignees) would be
      // served from the first emission's cache.
      ctx.em = ctx.services.orm.em.fork();
      ctx.loaders = createLoaders(ctx.em);
      const view = toActionView(await ctx.em.findOneOrFail(ActionRequest, { id }));
      const version = `${view.updatedAt.getTime()}:${view.status}:${view.reviewStatus}:${view.outcome?.status ?? ''}`;
      if (version !== lastSeen) {
        lastSeen = version;
        yield view;
      }
      if (TERMINAL_STATUSES.has(view.status)) return;
      // Thousands of agents wait like this: between changes hold only the version string,
      // not the entity, its EntityManager or its loaders.
      park(ctx);
      const next = await stream.next();
      if (next.done) return;
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
  if (!loaders) parkedLoaders.set(root, (loaders = createLoaders(root)));
  ctx.em = root;
  ctx.loaders = loaders;
}

function queueUpdates(ctx: Context): AsyncIterable<ApprovalQueueUpdate> {
  const approver = requireKind(ctx, PrincipalKind.APPROVER);
  const stream = new BoundedStream<ApprovalQueueUpdate>(MAX_PENDING_EVENTS, () => {
    ctx.services.logger.warn({ approverId: approver.id }, 'dropping a subscriber that stopped reading its queue updates');
    ctx.closeConnection?.(4429, 'Too many unread events: reconnect and re-read the queue.');
  });
  stream.onClose(ctx.services.events.onQueue(approver.id, (event) => stream.push({ actionId: event.actionId, approverId: approver.id, event })));
  return stream;
}
