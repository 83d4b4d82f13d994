import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { grantLimitsOf } from './scope.js';
import { grantOffer } from './offer.js';

@ObjectType('GrantOffer', { description: 'Whether `decide` with `grant` may make a standing approval of this request now (DESIGN §12), and for how long at most.' })
export class GrantOfferType {
  @Field(() => Boolean) allowed!: boolean;
  @Field(() => String, { nullable: true, description: 'Why not, in words (null when allowed).' }) reason!: string | null;
  @Field(() => Int, { nullable: true, description: "The policy's grants.maxTtl in seconds (null when its policy allows no grants at all, so there is nothing to offer)." }) maxTtl!: number | null;
}

/** `ActionRequest.grantOffer`: lets the web app offer "approve and allow similar" only where `decide` would accept it. */
@Resolver(() => ActionRequestType)
export class GrantOfferResolver {
  @FieldResolver(() => GrantOfferType, { description: 'Whether approving it may also grant similar requests (DESIGN §12), under the governance in force.' })
  async grantOffer(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<GrantOfferType> {
    const [governance, agent] = await Promise.all([ctx.services.governance.current(ctx.em), ctx.loaders.agent.load(action.agentId)]);
    const limits = grantLimitsOf(governance?.compiled ?? null, action.policy);
    return Object.assign(new GrantOfferType(), grantOffer({ status: action.status, mode: action.mode, level: action.risk.level, requiredApprovals: action.requiredApprovals }, agent?.status ?? null, limits));
  }
}
