import { Resolver, Query, Mutation, Arg, Ctx, Authorized, ID, Int, FieldResolver, Root } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import { requireKind, type Context } from '../graphql/context.js';
import { ApproverType } from '../principals/principal.types.js';
import type { Approver } from '../principals/approver.entity.js';
import { DelegationInput } from './delegation.inputs.js';
import { DelegationConnection, DelegationType, toDelegationView } from './delegation.types.js';
import { createDelegation, listDelegations, revokeDelegation } from './delegation.service.js';

@Resolver(() => DelegationType)
export class DelegationResolver {
  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Mutation(() => DelegationType, {
    description: 'Have someone else decide in your place for a while (admins: in anyone\'s place). Requests already pending move to them when it starts.',
  })
  async createDelegation(@Ctx() ctx: Context, @Arg('input', () => DelegationInput) input: DelegationInput): Promise<DelegationType> {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    return toDelegationView(await createDelegation(ctx.em, ctx.services, by, input));
  }

  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Mutation(() => DelegationType, {
    description: 'End a delegation now; its pending requests go back. For the delegator, the delegate (to decline it) and admins.',
  })
  async revokeDelegation(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<DelegationType> {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    return toDelegationView(await revokeDelegation(ctx.em, ctx.services, by, id));
  }

  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Query(() => DelegationConnection, { description: 'Delegations, newest first: approvers see those from or to them, admins all.' })
  async delegations(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('approverId', () => ID, { nullable: true, description: 'Only delegations from or to this approver.' }) approverId?: string,
    @Arg('active', () => Boolean, { nullable: true, description: 'true: only those in force now; false: only scheduled, ended or revoked ones.' }) active?: boolean,
  ) {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    const page = await listDelegations(ctx.em, by, { first, after, approverId, active });
    const now = new Date();
    return { ...page, nodes: page.nodes.map((d) => toDelegationView(d, now)) };
  }

  @FieldResolver(() => ApproverType, { description: 'Whose approvals are handed over.' })
  from(@Root() delegation: DelegationType, @Ctx() ctx: Context): Promise<Approver | null> {
    return ctx.loaders.approver.load(delegation.fromId);
  }

  @FieldResolver(() => ApproverType, { description: 'Who decides in their place.' })
  to(@Root() delegation: DelegationType, @Ctx() ctx: Context): Promise<Approver | null> {
    return ctx.loaders.approver.load(delegation.toId);
  }
}
