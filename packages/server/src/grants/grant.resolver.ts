import DataLoader from 'dataloader';
import { Resolver, Query, Mutation, Arg, Ctx, Authorized, ID, Int, FieldResolver, Root } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import { requireKind, type Context } from '../graphql/context.js';
import { AgentType, PrincipalType } from '../principals/principal.types.js';
import type { Agent } from '../principals/agent.entity.js';
import { ActionRequestType } from '../actions/action.types.js';
import { Grant } from './grant.entity.js';
import { CreateGrantInput, GrantFilter } from './grant.inputs.js';
import { GrantConnection, GrantType, toGrantView, toUsedGrantView } from './grant.types.js';
import { grantUsedBy } from './at-submission.js';
import type { ActionRecord } from '../actions/action-request.entity.js';
import { createGrant, grantsOfActions, listGrants, revokeGrant } from './grants.service.js';

@Resolver(() => GrantType)
export class GrantsResolver {
  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Mutation(() => GrantType, {
    description: 'A standing approval (DESIGN §12): later SYNC_APPROVAL requests of the agent within this scope are approved at once. Approvers may grant only what they could approve; admins anything the policies allow.',
  })
  async createGrant(@Ctx() ctx: Context, @Arg('input', () => CreateGrantInput) input: CreateGrantInput): Promise<GrantType> {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    return toGrantView(await createGrant(ctx.em, ctx.services, by, input));
  }

  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Mutation(() => GrantType, { description: 'Ends a grant now: for whoever granted it and admins.' })
  async revokeGrant(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<GrantType> {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    return toGrantView(await revokeGrant(ctx.em, ctx.services, by, id));
  }

  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @Query(() => GrantConnection, { description: 'Grants, newest first: approvers see those they granted, admins all.' })
  async grants(
    @Ctx() ctx: Context,
    @Arg('filter', () => GrantFilter, { nullable: true }) filter?: GrantFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const by = requireKind(ctx, PrincipalKind.APPROVER, PrincipalKind.ADMIN);
    const page = await listGrants(ctx.em, by, filter, { first, after });
    const now = new Date();
    return { ...page, nodes: page.nodes.map((g) => toGrantView(g, now)) };
  }

  @FieldResolver(() => AgentType, { description: 'Whose requests it covers.' })
  agent(@Root() grant: GrantType, @Ctx() ctx: Context): Promise<Agent | null> {
    return ctx.loaders.agent.load(grant.agentId);
  }

  @FieldResolver(() => PrincipalType, { description: 'Who granted it: an approver (its uses go to their review queue) or an admin.' })
  async grantedBy(@Root() grant: GrantType, @Ctx() ctx: Context): Promise<PrincipalType> {
    const { kind, id, name } = grant.grantedBy;
    const approver = kind === PrincipalKind.APPROVER && id ? (grant.granter !== undefined ? grant.granter : await ctx.loaders.approver.load(id)) : null;
    return { kind, id, name, roles: approver?.roles ?? [], agent: null, approver };
  }

  @FieldResolver(() => ActionRequestType, { nullable: true, description: 'The request whose approval granted it (`decide` with `grant`), if you may see it.' })
  fromAction(@Root() grant: GrantType, @Ctx() ctx: Context): Promise<ActionRequestType | null> | null {
    return grant.fromActionId ? ctx.loaders.action.load(grant.fromActionId) : null;
  }
}

/** Per-operation loaders of this module, kept with the operation's loaders (they are made per request). */
const grantLoaders = new WeakMap<object, DataLoader<string, GrantType | null>>();

function grantOfAction(ctx: Context): DataLoader<string, GrantType | null> {
  let loader = grantLoaders.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader(async (actionIds) => {
      const used = await grantsOfActions(ctx.em, actionIds);
      const grants = used.size === 0 ? [] : await ctx.em.find(Grant, { id: { $in: [...new Set(used.values())] } });
      const now = new Date();
      const views = new Map(grants.map((g) => [g.id, toGrantView(g, now)]));
      return actionIds.map((id) => views.get(used.get(id) ?? '') ?? null);
    });
    grantLoaders.set(ctx.loaders, loader);
  }
  return loader;
}

/**
 * Answers `ActionRequest.grant` of a request just submitted from the submission itself:
 * the grant it was approved with (grants/at-submission.ts), or none when it was decided at
 * birth without anyone assigned (no grant lets a request through that way). Returns whether
 * it was approved with a grant.
 */
export function primeSubmittedGrant(ctx: Context, action: ActionRecord, decidedWithoutAnyone: boolean): boolean {
  const used = grantUsedBy(action);
  if (used) grantOfAction(ctx).prime(action.id, toUsedGrantView(used, new Date()));
  else if (decidedWithoutAnyone) grantOfAction(ctx).prime(action.id, null);
  return used !== undefined;
}

@Resolver(() => ActionRequestType)
export class ActionGrantResolver {
  @FieldResolver(() => GrantType, { nullable: true, description: 'The standing approval that let it through (statusReason GRANTED), or null.' })
  grant(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<GrantType | null> {
    return grantOfAction(ctx).load(action.id);
  }
}
