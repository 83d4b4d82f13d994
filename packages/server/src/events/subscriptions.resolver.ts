import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { Resolver, Subscription, Arg, Root, ID, ObjectType, Field, Ctx, FieldResolver } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import type { Principal } from '../auth/principal.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { createLoaders } from '../actions/loaders.js';
import { actionStates, type ActionSubscriber } from './action-stream.js';
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

/** Loaders of no principal, per instance's root EntityManager, shared by every waiting subscription. */
const idleLoaders = new WeakMap<object, Context['loaders']>();

/**
 * A subscription's GraphQL context as the action stream sees it. One subscription lives
 * across many changes: each emission gets a fresh EntityManager and batch loaders (for the
 * relations not read with the row), and between changes the context points at shared,
 * empty stand-ins. A class, not closures: thousands of agents wait at once.
 */
class ContextSubscriber implements ActionSubscriber {
  constructor(private readonly ctx: Context) {}

  principal(): Principal {
    return requirePrincipal(this.ctx);
  }

  renew(): void {
    const { ctx } = this;
    ctx.em = ctx.services.orm.em.fork();
    ctx.loaders = createLoaders(ctx.em, ctx.principal);
  }

  release(): void {
    const { ctx } = this;
    const root = ctx.services.orm.em;
    let loaders = idleLoaders.get(root);
    // Nobody's: they read no request while waiting.
    if (!loaders) idleLoaders.set(root, (loaders = createLoaders(root, null)));
    ctx.em = root;
    ctx.loaders = loaders;
  }
}

function actionUpdates(ctx: Context, id: string): AsyncGenerator<ActionRequestType> {
  return actionStates(ctx.services.sql, ctx.services.events, id, new ContextSubscriber(ctx));
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
