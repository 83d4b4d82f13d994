import { endSessionsOf } from '../auth/sessions.js';
import { SessionEnd } from '../auth/session-rules.js';
import { Resolver, Query, Mutation, Arg, Ctx, Authorized, ID, Int, FieldResolver, Root } from 'type-graphql';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import type { Context } from '../graphql/context.js';
import { requirePrincipal } from '../graphql/context.js';
import { pageByCreation } from '../db/paging.js';
import { Agent } from './agent.entity.js';
import { Approver } from './approver.entity.js';
import {
  AdminTokenType, AgentConnection, AgentType, ApproverConnection, ApproverType, CreateAdminTokenPayload, CreateAgentPayload,
  CreateApproverPayload, PrincipalType, RotateAgentKeyPayload, RotateApproverTokenPayload,
} from './principal.types.js';
import { CreateAgentInput, CreateApproverInput, UpdateApproverInput } from './principal.inputs.js';
import * as principals from './principals.service.js';
import { principalTopic } from '../auth/credentials.js';
import type { PrincipalTopic } from '../events/event-bus.js';

@Resolver()
export class PrincipalsResolver {
  @Query(() => PrincipalType, { description: 'Who the bearer token belongs to.' })
  async me(@Ctx() ctx: Context): Promise<PrincipalType> {
    const p = requirePrincipal(ctx);
    switch (p.kind) {
      case PrincipalKind.AGENT:
        return { kind: p.kind, id: p.id, name: p.name, roles: [], agent: await principals.findAgent(ctx.em, p.id), approver: null };
      case PrincipalKind.APPROVER:
        return { kind: p.kind, id: p.id, name: p.name, roles: p.roles, agent: null, approver: await principals.findApprover(ctx.em, p.id) };
      case PrincipalKind.ADMIN:
        return { kind: p.kind, id: p.id, name: p.name, roles: [], agent: null, approver: null };
    }
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Query(() => AgentConnection, { description: 'Agents, oldest first.' })
  agents(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('status', () => AgentStatus, { nullable: true }) status?: AgentStatus,
  ) {
    return pageByCreation(ctx.em, Agent, status ? { status } : {}, { first, after }, { populate: ['owner'] });
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Query(() => AgentType)
  agent(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    return principals.findAgent(ctx.em, id);
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Query(() => ApproverConnection, { description: 'Approvers, oldest first.' })
  approvers(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('role', () => String, { nullable: true, description: 'Only approvers holding this role.' }) role?: string,
  ) {
    return pageByCreation(ctx.em, Approver, role ? { roles: { $contains: [role] } } : {}, { first, after });
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => CreateAgentPayload, { description: 'Registers an agent; its API key is returned once.' })
  createAgent(@Ctx() ctx: Context, @Arg('input', () => CreateAgentInput) input: CreateAgentInput) {
    return principals.createAgent(ctx.em, ctx.services.hasher, requirePrincipal(ctx), input);
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => RotateAgentKeyPayload, { description: 'Issues a new API key; the old one stops working at once.' })
  async rotateAgentKey(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const rotated = await principals.rotateAgentKey(ctx.em, ctx.services.hasher, requirePrincipal(ctx), id);
    await agentChanged(ctx, id);
    return rotated;
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => AgentType, { description: 'The kill switch: every further submission of the agent is DENIED, and its pending requests are CANCELLED (AGENT_SUSPENDED).' })
  async suspendAgent(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason?: string) {
    const agent = await principals.setAgentStatus(ctx.em, ctx.services, requirePrincipal(ctx), id, AgentStatus.SUSPENDED, reason ?? null);
    await agentChanged(ctx, id);
    return agent;
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => AgentType)
  async resumeAgent(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const agent = await principals.setAgentStatus(ctx.em, ctx.services, requirePrincipal(ctx), id, AgentStatus.ACTIVE, null);
    await agentChanged(ctx, id);
    return agent;
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => CreateApproverPayload, { description: 'Registers an approver; their token is returned once.' })
  createApprover(@Ctx() ctx: Context, @Arg('input', () => CreateApproverInput) input: CreateApproverInput) {
    return principals.createApprover(ctx.em, ctx.services.hasher, requirePrincipal(ctx), input);
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Mutation(() => ApproverType, { description: 'Admins change any approver; an approver changes their own slackUserId only (FORBIDDEN otherwise).' })
  async updateApprover(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateApproverInput) input: UpdateApproverInput) {
    const by = requirePrincipal(ctx);
    const approver = await principals.updateApprover(ctx.em, by, id, input);
    // A deactivated approver's web sessions end now, their open pages' sockets with them.
    if (!approver.active) await endSessionsOf(ctx.services, PrincipalKind.APPROVER, approver.id, SessionEnd.CREDENTIAL_REVOKED, by);
    // Deactivated: their open connections close; roles changed: they act with the new ones.
    await principalChanged(ctx, principalTopic(PrincipalKind.APPROVER, id));
    return approver;
  }

  @Authorized(PrincipalKind.ADMIN, PrincipalKind.APPROVER)
  @Mutation(() => RotateApproverTokenPayload, { description: 'Issues an approver a new token; the old one stops working at once, open connections included. Admins rotate anyone\'s, approvers their own. Shown once.' })
  async rotateApproverToken(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const by = requirePrincipal(ctx);
    const rotated = await principals.rotateApproverToken(ctx.em, ctx.services.hasher, by, id);
    // Web sessions opened with the old token end with it.
    await endSessionsOf(ctx.services, PrincipalKind.APPROVER, id, SessionEnd.CREDENTIAL_REVOKED, by);
    await principalChanged(ctx, principalTopic(PrincipalKind.APPROVER, id));
    return rotated;
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => CreateAdminTokenPayload, { description: 'Creates a named admin token (e.g. to replace the bootstrap token); shown once.' })
  createAdminToken(@Ctx() ctx: Context, @Arg('name', () => String) name: string) {
    return principals.createAdminToken(ctx.em, ctx.services.hasher, requirePrincipal(ctx), name);
  }

  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => AdminTokenType, {
    description: 'Revokes an admin token: it stops working at once, open connections included. Not the token in use (CONFLICT: use another); the bootstrap token ends when its variable is unset.',
  })
  async revokeAdminToken(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const revoked = await principals.revokeAdminToken(ctx.em, requirePrincipal(ctx), id);
    await principalChanged(ctx, principalTopic(PrincipalKind.ADMIN, revoked.id));
    return revoked;
  }
}

@Resolver(() => AgentType)
export class AgentFieldsResolver {
  @FieldResolver(() => ApproverType, { nullable: true, description: 'The approver responsible for the agent.' })
  async owner(@Root() agent: Agent, @Ctx() ctx: Context): Promise<Approver | null> {
    if (!agent.owner) return null;
    // Batched: a page of requests with their agents' owners costs one query, not one each.
    return agent.owner.name !== undefined ? agent.owner : ctx.loaders.approver.load(agent.owner.id);
  }
}

/**
 * After an agent's key or status changed: every instance forgets what it cached of the
 * agent (this one at once, the others when the notification reaches them).
 */
async function agentChanged(ctx: Context, agentId: string): Promise<void> {
  ctx.services.agentKeys.forgetAgent(agentId);
  await principalChanged(ctx, principalTopic(PrincipalKind.AGENT, agentId));
}

/** Tells every instance a principal changed: each rechecks the open connections it concerns (graphql/ws.ts). */
async function principalChanged(ctx: Context, topic: PrincipalTopic): Promise<void> {
  await ctx.services.events.principalChanged(ctx.services.sql, topic);
}
