import { AgentType, ApproverType } from '../principals/principal.types.js';
import { activeAssignmentsJsonSql, activeHoldersJsonSql } from '../escalation/assignments.js';
import type { AgentStatus, Verdict } from '../shared/enums.js';
import { AssigneeType, DecisionType, type ActionRequestType } from './action.types.js';
import { PastDecisionType, type ActionDigestType } from './context.types.js';

/**
 * What a queue page shows of each request's relations — its agent, who holds it, and the
 * decisions so far, each with the approvers named — read in the page's own statement as
 * JSON columns (see {@link RELATION_COLUMNS}) and attached to the views under a symbol
 * (invisible to GraphQL). The field resolvers answer from it synchronously: a page of 50
 * then costs one statement instead of one per relation, and GraphQL completes every node
 * without a promise per field. Views built elsewhere have none; their resolvers batch
 * through the DataLoaders as before.
 */
export const RELATIONS = Symbol('relations');

/**
 * An agent as the page reads it: every field of the Agent type, and its owner as a bare
 * reference (`{ id }`, like an unloaded ORM reference: the `owner` resolver loads it).
 */
export type AgentView = AgentType & { owner: { id: string } | null };

export interface ActionRelations {
  agent: AgentView | null;
  /** Absent when the read left them out ({@link HOLDER_COLUMNS}): the `assignees` resolver loads them. */
  assignees?: AssigneeType[];
  decisions: DecisionType[];
}

/** The approver and delegate of an assignment or decision, when read with it. */
export interface Approvers {
  approver: ApproverType | null;
  onBehalfOf: ApproverType | null;
}

export type WithRelations = ActionRequestType & { [RELATIONS]?: ActionRelations };
export type WithApprovers<T> = T & { [RELATIONS]?: Approvers };

/** The relations read with a request, if they were. */
export function relationsOf(view: ActionRequestType): ActionRelations | undefined {
  return (view as WithRelations)[RELATIONS];
}

/** What a digest (context.service.ts) is read with: its agent and its decisions. */
export interface DigestRelations {
  agent: AgentView | null;
  decisions: PastDecisionType[];
}

export type DigestWithRelations = ActionDigestType & { [RELATIONS]?: DigestRelations };

/** The relations read with a digest, if they were. */
export function digestRelationsOf(digest: ActionDigestType): DigestRelations | undefined {
  return (digest as DigestWithRelations)[RELATIONS];
}

/** The approvers read with an assignment or decision, if they were. */
export function approversOf<T extends object>(view: T): Approvers | undefined {
  return (view as WithApprovers<T>)[RELATIONS];
}

const approverJson = (alias: string) =>
  `case when ${alias}."id" is null then null else json_build_object('id', ${alias}."id", 'name', ${alias}."name", 'email', ${alias}."email", 'slackUserId', ${alias}."slack_user_id", 'roles', ${alias}."roles", 'active', ${alias}."active", 'createdAt', ${alias}."created_at", 'updatedAt', ${alias}."updated_at") end`;

/** An agent by id (an expression for its `agent_id`), as JSON. */
export const agentJson = (agentId: string) => `(select json_build_object('id', g."id", 'name', g."name", 'description', g."description", 'tags', g."tags", 'status', g."status",
     'suspendedReason', g."suspended_reason", 'ownerId', g."owner_id", 'createdAt', g."created_at", 'updatedAt', g."updated_at")
   from "agent" g where g."id" = ${agentId})`;

/** The decisions on a request (an expression for its id), in order, each with its approvers, as a JSON array. */
export const decisionsJson = (actionId: string) => `(select coalesce(json_agg(json_build_object('id', d."id", 'verdict', d."verdict", 'comment', d."comment", 'modifiedPayload', d."modified_payload",
     'escalationLevel', d."escalation_level", 'at', d."at", 'candidate', d."candidate", 'approverId', d."approver_id", 'onBehalfOfId', d."on_behalf_of_id",
     'approver', ${approverJson('da')}, 'onBehalfOf', ${approverJson('db')}) order by d."candidate", d."at"), '[]'::json)
   from "decision" d left join "approver" da on da."id" = d."approver_id" left join "approver" db on db."id" = d."on_behalf_of_id"
   where d."action_id" = ${actionId})`;

/**
 * Columns to add to a select over `"action_request" a`: the relations as JSON, each an
 * index probe per request (agent by primary key, assignments by (action_id, active),
 * decisions by (action_id, approver_id)), approvers by primary key. The JSON carries every
 * field of the Agent, Approver, Assignee and DecisionRecord types (the views below are
 * checked against them with `satisfies`: a field added to a type must be added here).
 */
export const RELATION_COLUMNS = `
  ${agentJson('a."agent_id"')} as "rel_agent",
  ${activeAssignmentsJsonSql(
    'a."id"',
    `json_build_object('viaRole', x."via_role", 'level', x."level", 'approverId', x."approver_id", 'onBehalfOfId', x."on_behalf_of_id",
     'approver', ${approverJson('xa')}, 'onBehalfOf', ${approverJson('xb')})`,
    'left join "approver" xa on xa."id" = x."approver_id" left join "approver" xb on xb."id" = x."on_behalf_of_id"',
  )} as "rel_assignees",
  ${decisionsJson('a."id"')} as "rel_decisions"`;

/**
 * {@link RELATION_COLUMNS} less the assignees' JSON, plus who holds the request now as a
 * bare list of approver ids (`rel_holders`): for the read shared by every subscriber told
 * of a change (events/queue-stream.ts), which needs who has the request queued
 * but not, unless a selection asks, every assignee with their approvers: for a request
 * assigned to a large role, building those is most of the read (figures in BENCHMARKS.md).
 * A selection that asks `assignees` gets them from the `assignees` resolver's loader.
 */
export const HOLDER_COLUMNS = `
  ${agentJson('a."agent_id"')} as "rel_agent",
  ${activeHoldersJsonSql('a."id"')} as "rel_holders",
  ${decisionsJson('a."id"')} as "rel_decisions"`;

/** The JSON columns of {@link RELATION_COLUMNS}, as the driver parses them. */
export interface RelationRow {
  rel_agent: AgentJson | null;
  rel_assignees: (AssigneeJson & ApproversJson)[];
  rel_decisions: (DecisionJson & ApproversJson)[];
}

export interface AgentJson {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  status: AgentStatus;
  suspendedReason: string | null;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ApproverJson {
  id: string;
  name: string;
  email: string | null;
  slackUserId: string | null;
  roles: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApproversJson {
  approverId: string;
  onBehalfOfId: string | null;
  approver: ApproverJson | null;
  onBehalfOf: ApproverJson | null;
}

interface AssigneeJson {
  viaRole: string | null;
  level: number;
}

export interface DecisionJson {
  id: string;
  verdict: Verdict;
  comment: string | null;
  modifiedPayload: unknown;
  escalationLevel: number | null;
  at: string;
  candidate: number;
}

function toApprover(json: ApproverJson | null): ApproverType | null {
  if (json === null) return null;
  return Object.assign(new ApproverType(), {
    id: json.id, name: json.name, email: json.email, slackUserId: json.slackUserId ?? null, roles: json.roles, active: json.active, createdAt: new Date(json.createdAt), updatedAt: new Date(json.updatedAt),
  } satisfies ApproverType);
}

function withApprovers<T extends object>(view: T, json: ApproversJson): WithApprovers<T> {
  const approvers: Approvers = { approver: toApprover(json.approver), onBehalfOf: toApprover(json.onBehalfOf) };
  return Object.assign(view, { [RELATIONS]: approvers });
}

/** An agent read with {@link agentJson}, as a view. */
export function toAgentView(g: AgentJson | null): AgentView | null {
  if (g === null) return null;
  return Object.assign(new AgentType(), {
    id: g.id, name: g.name, description: g.description, tags: g.tags, status: g.status, suspendedReason: g.suspendedReason,
    createdAt: new Date(g.createdAt), updatedAt: new Date(g.updatedAt), owner: g.ownerId === null ? null : { id: g.ownerId },
  } satisfies AgentView);
}

/** Decisions read with {@link decisionsJson}, as past decisions (shown with a digest), approvers attached. */
export function toPastDecisions(json: (DecisionJson & ApproversJson)[]): WithApprovers<PastDecisionType>[] {
  return json.map((d) =>
    withApprovers(
      Object.assign(new PastDecisionType(), { verdict: d.verdict, comment: d.comment, at: new Date(d.at), approverId: d.approverId, onBehalfOfId: d.onBehalfOfId } satisfies PastDecisionType),
      d,
    ),
  );
}

/** The relations of one row of a select with {@link RELATION_COLUMNS}, as views. */
export function toRelations(row: Omit<RelationRow, 'rel_assignees'> & { rel_assignees?: RelationRow['rel_assignees'] }): ActionRelations {
  return {
    agent: toAgentView(row.rel_agent),
    assignees: row.rel_assignees?.map((x) =>
      withApprovers(Object.assign(new AssigneeType(), { viaRole: x.viaRole, level: x.level, approverId: x.approverId, onBehalfOfId: x.onBehalfOfId } satisfies AssigneeType), x),
    ),
    decisions: row.rel_decisions.map((d, _, all) =>
      withApprovers(
        Object.assign(new DecisionType(), {
          id: d.id, verdict: d.verdict, comment: d.comment, modifiedPayload: d.modifiedPayload, escalationLevel: d.escalationLevel, at: new Date(d.at),
          candidate: d.candidate, superseded: superseded(latestCandidate(all), d), approverId: d.approverId, onBehalfOfId: d.onBehalfOfId,
        } satisfies DecisionType),
        d,
      ),
    ),
  };
}

/** For an approval, whether a later candidate replaced the one it approved (decisions/quorum.ts); null for other verdicts. */
export function superseded(latest: number, vote: { verdict: Verdict; candidate: number }): boolean | null {
  return vote.verdict === 'APPROVE' ? latest > vote.candidate : null;
}

/** The newest candidate among a request's votes, worked out once per request (not once per vote). */
const latestOf = new WeakMap<readonly { candidate: number }[], number>();
function latestCandidate(votes: readonly { candidate: number }[]): number {
  let latest = latestOf.get(votes);
  if (latest === undefined) {
    latest = votes.reduce((max, v) => Math.max(max, v.candidate), 0);
    latestOf.set(votes, latest);
  }
  return latest;
}
