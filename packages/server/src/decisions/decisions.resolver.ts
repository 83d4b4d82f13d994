import { Resolver, Query, Mutation, Arg, Ctx, Authorized, Int } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import { requireKind, type Context } from '../graphql/context.js';
import { ActionRequestConnection, ActionRequestType } from '../actions/action.types.js';
import { toActionView } from '../actions/action.view.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { DecisionInput, ReviewInput } from './decision.inputs.js';
import { decide, review } from './decisions.service.js';
import { queuePage } from './queue.service.js';
import { decidedBy } from './history.service.js';

@Resolver()
export class DecisionsResolver {
  @Authorized(PrincipalKind.APPROVER)
  @Mutation(() => ActionRequestType, { description: 'Approve, deny or request changes on a request assigned to you.' })
  async decide(@Ctx() ctx: Context, @Arg('input', () => DecisionInput) input: DecisionInput): Promise<ActionRequestType> {
    const me = requireKind(ctx, PrincipalKind.APPROVER);
    return toActionView(await decide(ctx.em, ctx.services, me.id, input));
  }

  @Authorized(PrincipalKind.APPROVER)
  @Mutation(() => ActionRequestType, { description: 'Acknowledge or flag an ASYNC_REVIEW request routed to you.' })
  async review(@Ctx() ctx: Context, @Arg('input', () => ReviewInput) input: ReviewInput): Promise<ActionRequestType> {
    const me = requireKind(ctx, PrincipalKind.APPROVER);
    return toActionView(await review(ctx.em, ctx.services, me.id, input));
  }

  @Authorized(PrincipalKind.APPROVER)
  @Query(() => ActionRequestConnection, { description: 'Pending requests assigned to you now (directly or as a delegate), soonest deadline first.' })
  async approvalQueue(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const me = requireKind(ctx, PrincipalKind.APPROVER);
    const page = await queuePage(ctx.em, me.id, AssignmentKind.APPROVAL, { first, after });
    return { ...page, nodes: page.nodes.map(toActionView) };
  }

  @Authorized(PrincipalKind.APPROVER)
  @Query(() => ActionRequestConnection, { description: 'Requests that ran under ASYNC_REVIEW and wait for your acknowledgement or flag, oldest first.' })
  async reviewQueue(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const me = requireKind(ctx, PrincipalKind.APPROVER);
    const page = await queuePage(ctx.em, me.id, AssignmentKind.REVIEW, { first, after });
    return { ...page, nodes: page.nodes.map(toActionView) };
  }

  @Authorized(PrincipalKind.APPROVER)
  @Query(() => ActionRequestConnection, { description: 'The requests you gave a verdict on (also as a delegate), most recent verdict first.' })
  async myDecisions(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const me = requireKind(ctx, PrincipalKind.APPROVER);
    const page = await decidedBy(ctx.em, me.id, { first, after });
    return { ...page, nodes: page.nodes.map((d) => toActionView(d.action)) };
  }
}
