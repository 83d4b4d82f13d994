import { Resolver, Mutation, Ctx, Authorized } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import type { Context } from '../graphql/context.js';

@Resolver()
export class ReceiptsResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => String, { description: 'Starts signing receipts with a new key; receipts signed before keep verifying until they expire. Returns the new kid.' })
  async rotateSigningKey(@Ctx() ctx: Context): Promise<string> {
    return (await ctx.services.receipts.rotate(ctx.em)).kid;
  }
}
