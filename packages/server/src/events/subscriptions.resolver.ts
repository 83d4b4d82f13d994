import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { Resolver, Subscription, Arg, Root, ID, ObjectType, Field, Ctx, FieldResolver } from 'type-graphql';
import { PrincipalKind, TERMINAL_STATUSES } from '../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { toActionView, type ActionRow } from '../actions/action.view.js';
import { findReadableAction, readAction } from '../actions/access.js';
import { HOLDER_COLUMNS } from '../actions/relations.js';
import { createLoaders } from '../graphql/loaders.js';
import { BoundedStream } from './bounded-stream.js';
import type { QueueReads, QueueUpdate } from './queue-stream.js';

@ObjectType('ApprovalQueueUpdate', { description: 'A request entered, left or changed in your approval or review queue.' })
export class ApprovalQueueUpdate implements QueueUpdate {
  @Field(() => ID) actionId!: string;
  /** Read once for every subscriber told of this change (events/queue-stream.ts). */
  reads!: QueueReads;
  inQueue?: boolean;
  approverId?: string;
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
      useIdleStandIns(ctx);
      const next = await stream.next();
      if (next.done) return;
      row = await readAction(ctx.services.sql, id, HOLDER_COLUMNS);
    }
  } finally {
    stream.close();
  }
}

/** Loaders of no principal, per instance's root EntityManager, shared by every waiting subscription. */
const idleLoaders = new WeakMap<object, Context['loaders']>();

/** Points a waiting subscription's context at shared, empty stand-ins until its next emission. */
function useIdleStandIns(ctx: Context): void {
  const root = ctx.services.orm.em;
  let loaders = idleLoaders.get(root);
  // Nobody's: they read no request while waiting.
  if (!loaders) idleLoaders.set(root, (loaders = createLoaders(root, null)));
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

function queueUpdates(ctx: Context, withInQueue: boolean): AsyncIterable<QueueUpdate> {
  const approver = requireKind(ctx, PrincipalKind.APPROVER);
  return ctx.services.queueStream.subscribe(approver.id, withInQueue);
}
