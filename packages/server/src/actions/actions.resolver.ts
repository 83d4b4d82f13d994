import { Resolver, Query, Mutation, Arg, Ctx, Authorized, ID, Int, FieldResolver, Root } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/core';
import { ActionStatus, PrincipalKind, TERMINAL_STATUSES } from '../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../graphql/context.js';
import { AgentType, ApproverType } from '../principals/principal.types.js';
import type { Approver } from '../principals/approver.entity.js';
import { ActionRequest } from './action-request.entity.js';
import { ActionInput, OutcomeInput } from './action.inputs.js';
import { ActionFilter } from './action.filters.js';
import { ActionRequestConnection, ActionRequestType, AssigneeType, AuditEventType, DecisionType, ReviewType } from './action.types.js';
import { toActionView } from './action.view.js';
import { approversOf, relationsOf } from './relations.js';
import { pageByCreation, type ConnectionShape } from '../db/paging.js';
import { findReadableAction } from './access.js';
import { submitAction } from './submit.service.js';
import { primeSubmittedGrant } from '../grants/grant.resolver.js';
import { cancelAction, reportOutcome } from './lifecycle.service.js';
import { JSONScalar } from '../graphql/scalars.js';
import { candidateAfter, type Candidate } from '../decisions/quorum.js';
import { payloadHash } from '../receipts/receipt.js';

function connectionOfViews(page: ConnectionShape<ActionRequest>) {
  return { ...page, nodes: page.nodes.map(toActionView) };
}

/** `payments.*` → prefix match; anything else exact. */
function typeFilter(type: string): FilterQuery<ActionRequest> {
  return type.endsWith('.*') ? { type: { $like: `${type.slice(0, -1).replace(/[%_\\]/g, '\\$&')}%` } } : { type };
}

@Resolver(() => ActionRequestType)
export class ActionsResolver {
  @Authorized(PrincipalKind.AGENT)
  @Mutation(() => ActionRequestType, { description: 'Ask before acting. The answer says whether to go ahead (APPROVED), wait (PENDING), or not (DENIED).' })
  async submitAction(@Ctx() ctx: Context, @Arg('input', () => ActionInput) input: ActionInput): Promise<ActionRequestType> {
    const agent = requireKind(ctx, PrincipalKind.AGENT);
    const action = await submitAction(ctx.em, ctx.services, agent.id, input, agent.snapshot);
    const decidedWithoutAnyone = action.escalationLevel === null && TERMINAL_STATUSES.has(action.status);
    if (decidedWithoutAnyone) {
      // Decided at birth without anyone assigned: nobody has decided, reviewed or holds it.
      ctx.loaders.decisions.prime(action.id, []);
      ctx.loaders.reviews.prime(action.id, []);
      ctx.loaders.activeAssignments.prime(action.id, []);
    }
    // Approved at birth with a grant: nobody decided it (it is in its granter's review queue).
    if (primeSubmittedGrant(ctx, action, decidedWithoutAnyone)) ctx.loaders.decisions.prime(action.id, []);
    return toActionView(action);
  }

  @Authorized(PrincipalKind.AGENT)
  @Mutation(() => ActionRequestType, { description: 'Withdraw a pending request (status CANCELLED).' })
  async cancelAction(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason?: string): Promise<ActionRequestType> {
    const agent = requireKind(ctx, PrincipalKind.AGENT);
    return toActionView(await cancelAction(ctx.em, ctx.services, agent.id, id, reason ?? null));
  }

  @Authorized(PrincipalKind.AGENT)
  @Mutation(() => ActionRequestType, { description: 'Report how an approved action went.' })
  async reportOutcome(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input', () => OutcomeInput) input: OutcomeInput): Promise<ActionRequestType> {
    const agent = requireKind(ctx, PrincipalKind.AGENT);
    return toActionView(await reportOutcome(ctx.em, ctx.services, agent.id, id, input));
  }

  @Authorized()
  @Query(() => ActionRequestType, { description: 'One request: agents see their own, approvers what was routed to them, admins all.' })
  async action(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ActionRequestType> {
    return toActionView(await findReadableAction(ctx.services.sql, requirePrincipal(ctx), id));
  }

  @Authorized(PrincipalKind.AGENT)
  @Query(() => ActionRequestConnection, { description: "The calling agent's requests, newest first." })
  async myActions(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('status', () => [ActionStatus], { nullable: true }) status?: ActionStatus[],
  ) {
    const agent = requireKind(ctx, PrincipalKind.AGENT);
    const where: FilterQuery<ActionRequest> = { agent: agent.id, ...(status?.length ? { status: { $in: status } } : {}) };
    return connectionOfViews(await pageByCreation(ctx.em, ActionRequest, where, { first, after }, { newestFirst: true }));
  }

  @Authorized(PrincipalKind.ADMIN)
  @Query(() => ActionRequestConnection, { description: 'All requests, newest first, filtered.' })
  async actions(
    @Ctx() ctx: Context,
    @Arg('filter', () => ActionFilter, { nullable: true }) filter?: ActionFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const conditions: FilterQuery<ActionRequest>[] = [];
    if (filter?.agentId) conditions.push({ agent: filter.agentId });
    if (filter?.status?.length) conditions.push({ status: { $in: filter.status } });
    if (filter?.mode?.length) conditions.push({ mode: { $in: filter.mode } });
    if (filter?.level?.length) conditions.push({ riskLevel: { $in: filter.level } });
    if (filter?.type) conditions.push(typeFilter(filter.type));
    if (filter?.since) conditions.push({ createdAt: { $gte: filter.since } });
    if (filter?.until) conditions.push({ createdAt: { $lt: filter.until } });
    const where = conditions.length ? { $and: conditions } : {};
    return connectionOfViews(await pageByCreation(ctx.em, ActionRequest, where, { first, after }, { newestFirst: true }));
  }

  @FieldResolver(() => AgentType, { description: 'The agent that asked.' })
  agent(@Root() action: ActionRequestType, @Ctx() ctx: Context) {
    return relationsOf(action)?.agent ?? ctx.loaders.agent.load(action.agentId);
  }

  @FieldResolver(() => ActionRequestType, { nullable: true, description: 'The request this one revises (null when you may not see it: the same rule as `action`).' })
  async revisionOf(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<ActionRequestType | null> {
    if (!action.revisionOfId) return null;
    return ctx.loaders.action.load(action.revisionOfId);
  }

  @FieldResolver(() => [AssigneeType], { description: 'Who may decide (or review) it now.' })
  assignees(@Root() action: ActionRequestType, @Ctx() ctx: Context): AssigneeType[] | Promise<AssigneeType[]> {
    return relationsOf(action)?.assignees ?? ctx.loaders.activeAssignments.load(action.id);
  }

  @FieldResolver(() => [DecisionType])
  decisions(@Root() action: ActionRequestType, @Ctx() ctx: Context): DecisionType[] | Promise<DecisionType[]> {
    return relationsOf(action)?.decisions ?? ctx.loaders.decisions.load(action.id);
  }

  @FieldResolver(() => Int, { description: 'Distinct people whose approval of the candidate payload counts toward requiredApprovals now.' })
  async approvals(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<number> {
    return (await candidateOf(action, ctx)).approvers.length;
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'The payload the approvals are for: the submitted one, or the latest modification an approver approved. A receipt binds it only once requiredApprovals people approved it as it is.',
  })
  async candidatePayload(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<unknown> {
    return (await candidateOf(action, ctx)).payload;
  }

  @FieldResolver(() => String, {
    description:
      'The payloadHash of candidatePayload (base64url of the SHA-256 of its RFC 8785 canonical JSON, as in a receipt\'s `pld`). Send it as DecisionInput.expectedPayloadHash with an APPROVE, so the vote is refused rather than counted should the candidate change before it lands.',
  })
  async candidatePayloadHash(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<string> {
    return payloadHash((await candidateOf(action, ctx)).payload);
  }

  @FieldResolver(() => [ReviewType])
  reviews(@Root() action: ActionRequestType, @Ctx() ctx: Context): Promise<ReviewType[]> {
    return ctx.loaders.reviews.load(action.id);
  }

  @FieldResolver(() => [AuditEventType], { description: 'Every audit event about this request, in chain order.' })
  auditTrail(@Root() action: ActionRequestType, @Ctx() ctx: Context) {
    return ctx.loaders.auditTrail.load(action.id);
  }
}

/** Per request object, so `approvals`, `candidatePayload` and its hash in one selection work it out once. */
const candidates = new WeakMap<ActionRequestType, Promise<Candidate>>();

/** The candidate payload of a request and who approved it (decisions/quorum.ts), from its decisions. */
function candidateOf(action: ActionRequestType, ctx: Context): Promise<Candidate> {
  let candidate = candidates.get(action);
  if (!candidate) {
    candidate = computeCandidate(action, ctx);
    candidates.set(action, candidate);
  }
  return candidate;
}

async function computeCandidate(action: ActionRequestType, ctx: Context): Promise<Candidate> {
  const decisions = relationsOf(action)?.decisions ?? (await ctx.loaders.decisions.load(action.id));
  // By round, and within a round the modifications first: the order candidateAfter reads stored votes in.
  const votes = [...decisions]
    .sort((a, b) => a.candidate - b.candidate || Number(a.modifiedPayload === null) - Number(b.modifiedPayload === null))
    .map((d) => ({ approverId: d.onBehalfOfId ?? d.approverId, verdict: d.verdict, modifiedPayload: d.modifiedPayload, candidate: d.candidate }));
  return candidateAfter(action.payload, votes).candidate;
}

/** `approver` and `onBehalfOf` on decisions, reviews and assignees, batched. */
function approverFields<T extends { approverId: string; onBehalfOfId: string | null }>(type: new () => T, name: string) {
  @Resolver(() => type)
  class ApproverFieldsResolver {
    @FieldResolver(() => ApproverType, { description: `Who ${name}.` })
    approver(@Root() root: T, @Ctx() ctx: Context): ApproverType | Promise<Approver | null> | null {
      const read = approversOf(root);
      return read ? read.approver : ctx.loaders.approver.load(root.approverId);
    }

    @FieldResolver(() => ApproverType, { nullable: true, description: 'Whose place they took, when acting as a delegate.' })
    onBehalfOf(@Root() root: T, @Ctx() ctx: Context): ApproverType | Promise<Approver | null> | null {
      const read = approversOf(root);
      if (read) return read.onBehalfOf;
      return root.onBehalfOfId ? ctx.loaders.approver.load(root.onBehalfOfId) : null;
    }
  }
  return ApproverFieldsResolver;
}

export const DecisionFieldsResolver = approverFields(DecisionType, 'decided');
export const ReviewFieldsResolver = approverFields(ReviewType, 'reviewed');
export const AssigneeFieldsResolver = approverFields(AssigneeType, 'is assigned');
