import { Resolver, Subscription, Arg, Root, ID, ObjectType, Field, Ctx, FieldResolver } from 'type-graphql';
import { PrincipalKind, TERMINAL_STATUSES } from '../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { toActionView } from '../actions/action.view.js';
import { findReadableAction } from '../actions/access.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { createLoaders } from '../graphql/loaders.js';
import { BoundedStream } from './bounded-stream.js';

/** How far a subscriber may fall behind before it is dropped. */
const MAX_PENDING_EVENTS = 1000;

@ObjectType('ApprovalQueueUpdate', { description: 'A request entered, left or changed in your approval or review queue.' })
export class ApprovalQueueUpdate {
  @Field(() => ID) actionId!: string;
  /** The subscriber, to answer `inQueue` for them. */
  approverId!: string;
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
    const rows = await ctx.em.fork().execute('select 1 from "assignment" where "action_id" = ? and "approver_id" = ? and "active" limit 1', [update.actionId, update.approverId]);
    return rows.length > 0;
  }

  @FieldResolver(() => ActionRequestType, { nullable: true, description: 'The request as it is now.' })
  async action(@Root() update: ApprovalQueueUpdate, @Ctx() ctx: Context): Promise<ActionRequestType | null> {
    const action = await ctx.em.fork().findOne(ActionRequest, { id: update.actionId });
    return action ? toActionView(action) : null;
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
      const action = await ctx.em.findOneOrFail(ActionRequest, { id });
      const version = `${action.updatedAt.getTime()}:${action.status}:${action.reviewStatus}:${action.outcomeStatus}`;
      if (version !== lastSeen) {
        lastSeen = version;
        yield toActionView(action);
      }
      if (TERMINAL_STATUSES.has(action.status)) return;
      const next = await stream.next();
      if (next.done) return;
    }
  } finally {
    stream.close();
  }
}

function queueUpdates(ctx: Context): AsyncIterable<ApprovalQueueUpdate> {
  const approver = requireKind(ctx, PrincipalKind.APPROVER);
  const stream = new BoundedStream<ApprovalQueueUpdate>(MAX_PENDING_EVENTS, () => {
    ctx.services.logger.warn({ approverId: approver.id }, 'dropping a subscriber that stopped reading its queue updates');
    ctx.closeConnection?.(4429, 'Too many unread events: reconnect and re-read the queue.');
  });
  stream.onClose(ctx.services.events.onQueue(approver.id, (event) => stream.push({ actionId: event.actionId, approverId: approver.id })));
  return stream;
}
