import { Resolver, Query, Arg, Ctx, Authorized, FieldResolver, Root } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import type { Context } from '../graphql/context.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { AgentType, ApproverType } from '../principals/principal.types.js';
import type { Agent } from '../principals/agent.entity.js';
import type { Approver } from '../principals/approver.entity.js';
import { ApproverMetricsType, FlaggedGrantType, MetricsType, RoleShareType, SuggestedGrantType } from './metrics.types.js';
import { computeMetrics } from './metrics.service.js';
import { DEFAULT_WINDOW, resolveRange } from './window.js';

@Resolver()
export class MetricsResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Query(() => MetricsType, {
    description: 'How governance is working over a window: volumes, outcomes, time to decision, the queue, escalations, expiries, per approver and policy, and approval-fatigue alerts.',
  })
  metrics(
    @Ctx() ctx: Context,
    @Arg('window', () => String, { nullable: true, description: `How far back, e.g. 1h, 24h, 7d (default ${DEFAULT_WINDOW}).` }) window?: string,
    @Arg('bucket', () => String, { nullable: true, description: 'The size of each point of the series, e.g. 1h (default: at most 60 points).' }) bucket?: string,
    @Arg('until', () => DateTimeScalar, { nullable: true, description: 'The end of the window (default now). The queue and load now are always as of now.' }) until?: Date,
  ): Promise<MetricsType> {
    const now = new Date();
    return computeMetrics(ctx.em, ctx.services.governance, resolveRange({ window, bucket, until }, now), now);
  }
}

@Resolver(() => ApproverMetricsType)
export class ApproverMetricsResolver {
  @FieldResolver(() => ApproverType)
  approver(@Root() metrics: ApproverMetricsType, @Ctx() ctx: Context): Promise<Approver | null> {
    return ctx.loaders.approver.load(metrics.approverId);
  }
}

@Resolver(() => RoleShareType)
export class RoleShareResolver {
  @FieldResolver(() => ApproverType)
  approver(@Root() share: RoleShareType, @Ctx() ctx: Context): Promise<Approver | null> {
    return ctx.loaders.approver.load(share.approverId);
  }
}

@Resolver(() => FlaggedGrantType)
export class FlaggedGrantResolver {
  @FieldResolver(() => AgentType, { nullable: true, description: 'Whose requests the grant covers.' })
  agent(@Root() grant: FlaggedGrantType, @Ctx() ctx: Context): Promise<Agent | null> {
    return ctx.loaders.agent.load(grant.agentId);
  }
}

@Resolver(() => SuggestedGrantType)
export class SuggestedGrantResolver {
  @FieldResolver(() => AgentType, { nullable: true, description: 'Whose requests it would cover.' })
  agent(@Root() grant: SuggestedGrantType, @Ctx() ctx: Context): Promise<Agent | null> {
    return ctx.loaders.agent.load(grant.agentId);
  }

  @FieldResolver(() => ApproverType, { nullable: true, description: 'Who kept approving them: they could create it (or an admin).' })
  approver(@Root() grant: SuggestedGrantType, @Ctx() ctx: Context): Promise<Approver | null> {
    return ctx.loaders.approver.load(grant.approverId);
  }
}
