import { Resolver, FieldResolver, Root, Ctx, Arg, Int, Authorized } from 'type-graphql';
import { PrincipalKind, Verdict } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { requirePrincipal, type Context } from '../graphql/context.js';
import { AgentType, ApproverType } from '../principals/principal.types.js';
import type { Agent } from '../principals/agent.entity.js';
import type { Approver } from '../principals/approver.entity.js';
import { ActionRequestType } from './action.types.js';
import { ActionDigestType, AgentBaselineType, PastDecisionType, RevisionChangesType, SimilarActionsType } from './context.types.js';
import { diffRevision, sameJson } from './revision-diff.js';
import { baselineCache } from './baseline-cache.js';
import { approversOf, digestRelationsOf, type AgentView } from './relations.js';

const MAX_CONTEXT_ITEMS = 50;

function limit(first: number, field: string): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_CONTEXT_ITEMS) {
    throw AppError.badInput(`first must be between 1 and ${MAX_CONTEXT_ITEMS}.`, field);
  }
  return first;
}

/** Context on a request for the person deciding it (DESIGN §4): precedent, and what a revision changed. */
@Resolver(() => ActionRequestType)
export class ActionContextResolver {
  // Other agents' requests are context for the people who govern them, never for an agent.
  @Authorized(PrincipalKind.APPROVER, PrincipalKind.ADMIN)
  @FieldResolver(() => SimilarActionsType, { description: "Earlier requests of the same type, by this agent and by others, with how each ended: precedent for deciding this one. Only requests you may see: as for `agent.recentActions` for this agent's, routed to you (or of agents you own) for other agents'." })
  similar(
    @Root() action: ActionRequestType,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 5, description: 'How many of each (at most 50).' }) first: number,
  ): Promise<SimilarActionsType> {
    return ctx.loaders.similarActions.load({ id: action.id, agentId: action.agentId, type: action.type, createdAt: action.createdAt, limit: limit(first, 'first') });
  }

  @FieldResolver(() => RevisionChangesType, { nullable: true, description: 'For a revision: what changed against the request it revises (null otherwise, or when you may not see that request).' })
  async revisionChanges(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<RevisionChangesType | null> {
    if (!action.revisionOfId) return null;
    // The request it revises is shown only to someone who may read it (actions/access.ts).
    const original = await ctx.loaders.action.load(action.revisionOfId);
    if (!original) return null;
    const decisions = await ctx.loaders.decisions.load(action.revisionOfId);
    const request = decisions.filter((d) => d.verdict === Verdict.REQUEST_CHANGES).at(-1) ?? null;
    const suggestion = request?.modifiedPayload ?? null;
    return {
      ...diffRevision(original, action),
      requestedChanges: request,
      followsSuggestion: suggestion === null ? null : sameJson(suggestion, action.payload),
    };
  }
}

/**
 * An agent as resolvers get it: the entity (batch loaders) or the view a queue page reads
 * (relations.ts). A union, so that type-graphql hands it over as is instead of copying it
 * into an instance of one class.
 */
type AgentRoot = Agent | AgentView;

/** What is normal for an agent, next to what it asks now (DESIGN §4 `agent { recentActions baseline }`). */
@Resolver(() => AgentType)
export class AgentContextResolver {
  @FieldResolver(() => [ActionDigestType], { description: "The agent's latest requests that you may see, newest first. Approvers: those routed to them (or of agents they own), and, for an agent whose requests reach them, those nobody was asked about (AUTO, BLOCK)." })
  recentActions(
    @Root() agent: AgentRoot,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 10, description: 'At most 50.' }) first: number,
  ): Promise<ActionDigestType[]> {
    mayViewHistory(ctx, agent);
    return ctx.loaders.recentActions.load({ agentId: agent.id, limit: limit(first, 'first') });
  }

  @FieldResolver(() => AgentBaselineType, { description: 'Its usual rate, amounts and how its requests are usually decided.' })
  baseline(@Root() agent: AgentRoot, @Ctx() ctx: Context): Promise<AgentBaselineType> {
    mayViewHistory(ctx, agent);
    // Reused across requests for a few seconds (the bound and why: baseline-cache.ts).
    return baselineCache<AgentBaselineType>(ctx.services).get(agent.id, () => ctx.loaders.agentBaseline.load(agent.id));
  }
}

/** An agent sees only its own history; approvers and admins see any agent's as context. */
function mayViewHistory(ctx: Context, agent: AgentRoot): void {
  const principal = requirePrincipal(ctx);
  if (principal.kind === PrincipalKind.AGENT && principal.id !== agent.id) {
    throw AppError.forbidden("An agent may see only its own history.");
  }
}

@Resolver(() => ActionDigestType)
export class ActionDigestResolver {
  @FieldResolver(() => AgentType, { description: 'The agent that asked.' })
  agent(@Root() digest: ActionDigestType, @Ctx() ctx: Context): AgentView | Promise<Agent | null> | null {
    const read = digestRelationsOf(digest);
    return read ? read.agent : ctx.loaders.agent.load(digest.agentId);
  }

  @FieldResolver(() => [PastDecisionType], { description: 'The approvers\' verdicts, in order (empty when no human decided).' })
  async decisions(@Root() digest: ActionDigestType, @Ctx() ctx: Context): Promise<PastDecisionType[]> {
    const read = digestRelationsOf(digest);
    if (read) return read.decisions;
    const rows = await ctx.loaders.decisions.load(digest.id);
    return rows.map((d) => Object.assign(new PastDecisionType(), { verdict: d.verdict, comment: d.comment, at: d.at, approverId: d.approverId, onBehalfOfId: d.onBehalfOfId }));
  }
}

@Resolver(() => PastDecisionType)
export class PastDecisionResolver {
  @FieldResolver(() => ApproverType, { description: 'Who decided.' })
  approver(@Root() decision: PastDecisionType, @Ctx() ctx: Context): ApproverType | Promise<Approver | null> | null {
    const read = approversOf(decision);
    return read ? read.approver : ctx.loaders.approver.load(decision.approverId);
  }

  @FieldResolver(() => ApproverType, { nullable: true, description: 'Whose place they took, when acting as a delegate.' })
  onBehalfOf(@Root() decision: PastDecisionType, @Ctx() ctx: Context): ApproverType | Promise<Approver | null> | null {
    const read = approversOf(decision);
    if (read) return read.onBehalfOf;
    return decision.onBehalfOfId ? ctx.loaders.approver.load(decision.onBehalfOfId) : null;
  }
}
