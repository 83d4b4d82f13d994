import { Resolver, Query, Arg, Ctx, Authorized, Int, FieldResolver, Root } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import type { Context } from '../graphql/context.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { AgentType } from '../principals/principal.types.js';
import type { Agent } from '../principals/agent.entity.js';
import { GovernanceSimulationType, SimulatedChangeType } from './simulate.types.js';
import { DEFAULT_SIMULATION_DAYS, MAX_LISTED_CHANGES, simulateGovernance } from './simulate.js';

@Resolver()
export class SimulateResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Query(() => GovernanceSimulationType, {
    description: 'Replays stored requests through a draft governance document (YAML or JSON) and reports what it would handle differently. Changes nothing.',
  })
  simulateGovernance(
    @Ctx() ctx: Context,
    @Arg('document', () => String) document: string,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: `Replay the requests submitted since then (default: the last ${DEFAULT_SIMULATION_DAYS} days).` }) since?: Date,
    @Arg('first', () => Int, { nullable: true, description: `How many changed requests to list (default 100, at most ${MAX_LISTED_CHANGES}); the counts cover them all.` }) first?: number,
  ): Promise<GovernanceSimulationType> {
    return simulateGovernance(ctx.em, document, { since, first, now: new Date() });
  }
}

@Resolver(() => SimulatedChangeType)
export class SimulatedChangeResolver {
  @FieldResolver(() => AgentType, { description: 'The agent that asked.' })
  agent(@Root() change: SimulatedChangeType, @Ctx() ctx: Context): Promise<Agent | null> {
    return ctx.loaders.agent.load(change.agentId);
  }
}
