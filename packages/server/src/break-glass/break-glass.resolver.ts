import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { ActionRequestType } from '../actions/action.types.js';
import { BreakGlassType } from './break-glass.types.js';

/** `ActionRequest.breakGlass`: shown to whoever may see the request. */
@Resolver(() => ActionRequestType)
export class BreakGlassFieldsResolver {
  @FieldResolver(() => BreakGlassType, { nullable: true, description: 'Break-glass, when the agent asked for it (DESIGN §12): its justification, whether it was used, and whether the review is overdue.' })
  async breakGlass(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<BreakGlassType | null> {
    const found = await ctx.loaders.breakGlass.load(action.id);
    return found === null ? null : Object.assign(new BreakGlassType(), found);
  }
}
