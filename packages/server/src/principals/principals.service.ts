import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { appendAudit, saveAudited, type AuditEntry } from '../audit/audit.service.js';
import { cancelPendingOfSuspendedAgent } from '../actions/kill-switch.js';
import type { Services } from '../services.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { generateToken, type TokenHasher } from '../auth/tokens.js';
import { isUniqueViolation, isUuid, validEmail, validName, validNames, validText } from '../shared/validate.js';
import { Agent } from './agent.entity.js';
import { Approver } from './approver.entity.js';
import { AdminToken } from './admin-token.entity.js';
import type { CreateAgentInput, CreateApproverInput, UpdateApproverInput } from './principal.inputs.js';
import { isSlackUserIdTaken, validSlackUserId } from '../notifications/slack/slack-user-id.js';

async function uniquely<T>(what: string, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isSlackUserIdTaken(error)) throw slackUserIdTaken();
    if (isUniqueViolation(error)) throw AppError.conflict(`${what} named "${name}" already exists.`, { name });
    throw error;
  }
}

export async function findAgent(em: EntityManager, id: string): Promise<Agent> {
  const agent = isUuid(id) ? await em.findOne(Agent, { id }, { populate: ['owner'] }) : null;
  if (!agent) throw AppError.notFound('Agent', id);
  return agent;
}

export async function findApprover(em: EntityManager, id: string, field = 'id'): Promise<Approver> {
  const approver = isUuid(id) ? await em.findOne(Approver, { id }) : null;
  if (!approver) throw AppError.notFound(field === 'id' ? 'Approver' : `Approver (${field})`, id);
  return approver;
}

export async function createAgent(em: EntityManager, hasher: TokenHasher, by: Principal, input: CreateAgentInput) {
  const name = validName(input.name, 'name');
  const tags = validNames(input.tags, 'tags');
  const description = validText(input.description, 'description', 2000);
  const owner = input.ownerId ? await findApprover(em, input.ownerId, 'ownerId') : null;
  const apiKey = generateToken(PrincipalKind.AGENT);
  const agent = em.create(Agent, { name, description, tags, owner, apiKeyHash: hasher.hash(apiKey) });
  await uniquely('An agent', name, () =>
    saveAudited(em, agent, { kind: 'AGENT_CREATED', subjectType: 'AGENT', subjectId: agent.id, ...actorRef(by), data: { name, tags, ownerId: owner?.id ?? null } }),
  );
  return { agent, apiKey };
}

export async function rotateAgentKey(em: EntityManager, hasher: TokenHasher, by: Principal, id: string) {
  const agent = await findAgent(em, id);
  const apiKey = generateToken(PrincipalKind.AGENT);
  agent.apiKeyHash = hasher.hash(apiKey);
  await saveAudited(em, agent, { kind: 'AGENT_KEY_ROTATED', subjectType: 'AGENT', subjectId: agent.id, ...actorRef(by) });
  return { agent, apiKey };
}

/**
 * Suspends (the kill switch) or resumes an agent. Suspending also ends the agent's pending
 * requests in the same transaction (actions/kill-switch.ts): nothing it asked for before
 * can be approved after `suspendAgent` returns. Suspending again retries that, so a
 * request left pending by an older version is ended too.
 */
export async function setAgentStatus(em: EntityManager, services: Pick<Services, 'events'>, by: Principal, id: string, status: AgentStatus, reason: string | null) {
  const agent = await findAgent(em, id);
  const suspending = status === AgentStatus.SUSPENDED;
  if (agent.status === status && !suspending) return agent;
  const changed = agent.status !== status;
  if (changed) {
    agent.status = status;
    agent.suspendedReason = suspending ? validText(reason, 'reason', 2000) : null;
  }
  const events = await em.transactional(async (tx) => {
    const now = new Date();
    // The agent's row first: its update waits for the submissions in flight, whose requests the cancellation then sees.
    tx.persist(agent);
    await tx.flush();
    const audit: AuditEntry[] = changed
      ? [{ kind: suspending ? 'AGENT_SUSPENDED' : 'AGENT_RESUMED', subjectType: 'AGENT', subjectId: agent.id, ...actorRef(by), at: now, data: { reason: agent.suspendedReason } }]
      : [];
    const cancelled = suspending ? await cancelPendingOfSuspendedAgent(tx, agent, actorRef(by), agent.suspendedReason, now) : { audit: [], events: [] };
    const notified = await services.events.inTransaction(tx, cancelled.events);
    await appendAudit(tx, [...audit, ...cancelled.audit]);
    return notified;
  });
  services.events.afterCommit(events);
  return agent;
}

export async function createApprover(em: EntityManager, hasher: TokenHasher, by: Principal, input: CreateApproverInput) {
  const name = validName(input.name, 'name');
  const roles = validNames(input.roles, 'roles');
  const email = validEmail(input.email);
  const slackUserId = validSlackUserId(input.slackUserId);
  const token = generateToken(PrincipalKind.APPROVER);
  const approver = em.create(Approver, { name, email, slackUserId, roles, tokenHash: hasher.hash(token) });
  await uniquely('An approver', name, () =>
    saveAudited(em, approver, { kind: 'APPROVER_CREATED', subjectType: 'APPROVER', subjectId: approver.id, ...actorRef(by), data: { name, roles, ...(slackUserId ? { slackUserId } : {}) } }),
  );
  return { approver, token };
}

/**
 * Admins change any field; an approver changes their own Slack id and nothing else (it
 * only says where they are told, not what they may decide).
 */
export async function updateApprover(em: EntityManager, by: Principal, id: string, input: UpdateApproverInput) {
  if (by.kind === PrincipalKind.AGENT) throw AppError.forbidden('Agents cannot change approvers.');
  if (by.kind === PrincipalKind.APPROVER) {
    if (by.id !== id) throw AppError.forbidden('Approvers change their own Slack id only; an admin changes other approvers.');
    const others = (['email', 'roles', 'active'] as const).filter((field) => input[field] !== undefined && input[field] !== null);
    if (others.length > 0) throw AppError.forbidden(`Approvers change their own slackUserId only; ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} changed by an admin.`);
    if (input.slackUserId === undefined) throw AppError.badInput('Nothing to change: give slackUserId (null unlinks Slack).', 'slackUserId');
  }
  const approver = await findApprover(em, id);
  const before = { email: approver.email, slackUserId: approver.slackUserId, roles: approver.roles, active: approver.active };
  if (input.email !== undefined) approver.email = validEmail(input.email);
  if (input.slackUserId !== undefined) approver.slackUserId = validSlackUserId(input.slackUserId);
  if (input.roles !== undefined && input.roles !== null) approver.roles = validNames(input.roles, 'roles');
  if (input.active !== undefined && input.active !== null) approver.active = input.active;
  try {
    await saveAudited(em, approver, {
      kind: 'APPROVER_UPDATED', subjectType: 'APPROVER', subjectId: approver.id, ...actorRef(by),
      data: { before, after: { email: approver.email, slackUserId: approver.slackUserId, roles: approver.roles, active: approver.active } },
    });
  } catch (error) {
    if (isSlackUserIdTaken(error)) throw slackUserIdTaken();
    throw error;
  }
  return approver;
}

function slackUserIdTaken(): AppError {
  // Which approver holds it is not said: an approver setting their own id learns nothing about others.
  return AppError.conflict('This Slack member id is already linked to another approver.', { field: 'slackUserId' });
}

export async function createAdminToken(em: EntityManager, hasher: TokenHasher, by: Principal, rawName: string) {
  const name = validName(rawName, 'name');
  const token = generateToken(PrincipalKind.ADMIN);
  const adminToken = em.create(AdminToken, { name, tokenHash: hasher.hash(token) });
  await saveAudited(em, adminToken, { kind: 'ADMIN_TOKEN_CREATED', subjectType: 'ADMIN', subjectId: adminToken.id, ...actorRef(by), data: { name } });
  return { adminToken, token };
}

/**
 * Issues an approver a new token; the old one stops working at once. Admins rotate
 * anyone's; an approver their own (e.g. after pasting it somewhere it should not be).
 */
export async function rotateApproverToken(em: EntityManager, hasher: TokenHasher, by: Principal, id: string) {
  if (by.kind === PrincipalKind.APPROVER && by.id !== id) throw AppError.forbidden('Approvers rotate their own token only.');
  if (by.kind === PrincipalKind.AGENT) throw AppError.forbidden('Agents cannot rotate approver tokens.');
  const approver = await findApprover(em, id);
  const token = generateToken(PrincipalKind.APPROVER);
  approver.tokenHash = hasher.hash(token);
  await saveAudited(em, approver, { kind: 'APPROVER_TOKEN_ROTATED', subjectType: 'APPROVER', subjectId: approver.id, ...actorRef(by) });
  return { approver, token };
}

/**
 * Revokes an admin token for good. The token in use cannot revoke itself (revoke it with
 * another admin token: an admin cannot lock themself out mid-command by mistake). The
 * bootstrap token is no row and has no id: it ends when COUNTERSIGN_BOOTSTRAP_TOKEN is unset.
 * Revoking a revoked token answers it as it is.
 */
export async function revokeAdminToken(em: EntityManager, by: Principal, id: string) {
  const adminToken = isUuid(id) ? await em.findOne(AdminToken, { id }) : null;
  if (!adminToken) throw AppError.notFound('AdminToken', id);
  if (by.kind === PrincipalKind.ADMIN && by.id === adminToken.id) {
    throw AppError.conflict('This is the token you are using: revoke it with another admin token.', { id });
  }
  if (adminToken.revokedAt) return adminToken;
  adminToken.revokedAt = new Date();
  await saveAudited(em, adminToken, { kind: 'ADMIN_TOKEN_REVOKED', subjectType: 'ADMIN', subjectId: adminToken.id, ...actorRef(by), data: { name: adminToken.name } });
  return adminToken;
}
