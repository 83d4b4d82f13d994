import type { ActionRecord, RiskFactor } from './action-request.entity.js';
import { ActionRequestType } from './action.types.js';
import { RELATIONS, toRelations, type RelationRow, type WithRelations } from './relations.js';
import type { ActionStatus, DataClassification, Mode, Operation, OutcomeStatus, ReviewStatus, RiskLevel } from '../shared/enums.js';

/**
 * A stored request as a plain row (`select ${ACTION_COLUMNS} from "action_request" a`): what
 * read paths that show many requests (the queue pages, revisions) use instead of ORM
 * entities, which cost far more to hydrate and track than the page costs to render.
 */
export interface ActionRow {
  id: string;
  agent_id: string;
  revision_of_id: string | null;
  type: string;
  operation: Operation;
  summary: string;
  justification: string | null;
  expected_outcome: string | null;
  resource: string | null;
  data_classification: DataClassification | null;
  data_categories: string[];
  record_count: number | null;
  destination_system: string | null;
  destination_external: boolean | null;
  amount_value: number | null;
  amount_currency: string | null;
  payload: unknown;
  context: unknown;
  idempotency_key: string | null;
  risk_score: number;
  risk_level: RiskLevel;
  risk_factors: RiskFactor[];
  mode: Mode;
  policy: string | null;
  consequences: { approve?: string; deny?: string } | null;
  notes: string[];
  governance_version: number | null;
  required_approvals: number;
  status: ActionStatus;
  status_reason: string | null;
  review_status: ReviewStatus | null;
  route: string | null;
  chain: string | null;
  escalation_level: number | null;
  deadline: Date | string | null;
  approved_payload: unknown;
  receipt: string | null;
  decided_at: Date | string | null;
  outcome_status: OutcomeStatus | null;
  outcome_detail: string | null;
  outcome_result: unknown;
  outcome_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  /** Present when the select added RELATION_COLUMNS or HOLDER_COLUMNS (relations.ts); the assignees with the former only. */
  rel_agent?: RelationRow['rel_agent'];
  rel_assignees?: RelationRow['rel_assignees'];
  rel_decisions?: RelationRow['rel_decisions'];
  /** Present when the select added HOLDER_COLUMNS: who holds the request now. */
  rel_holders?: string[];
}

/**
 * The columns of {@link ActionRow}, from `"action_request" a`. The amount is read as float8:
 * the entity reads the numeric(20,4) back as a JS number too.
 */
export const ACTION_COLUMNS = `a."id", a."agent_id", a."revision_of_id", a."type", a."operation", a."summary", a."justification", a."expected_outcome",
  a."resource", a."data_classification", a."data_categories", a."record_count", a."destination_system", a."destination_external",
  a."amount_value"::float8 as "amount_value", a."amount_currency", a."payload", a."context", a."idempotency_key", a."risk_score", a."risk_level",
  a."risk_factors", a."mode", a."policy", a."consequences", a."notes", a."governance_version", a."required_approvals", a."status",
  a."status_reason", a."review_status", a."route", a."chain", a."escalation_level", a."deadline", a."approved_payload", a."receipt",
  a."decided_at", a."outcome_status", a."outcome_detail", a."outcome_result", a."outcome_at", a."created_at", a."updated_at"`;

/** A timestamp as the driver returns it (MikroORM's pg setup keeps timestamptz as text) → Date. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/**
 * The API's view of a stored request, from its entity or from a plain row (relations are
 * resolved by field resolvers). The view is an instance of the GraphQL type, so that
 * type-graphql hands it to field resolvers as is instead of copying it into one per field.
 */
export function toActionView(a: ActionRecord | ActionRow): ActionRequestType {
  // An entity, or a plain record of one (a submission writes no entity).
  return 'agent_id' in a ? fromRow(a) : fromEntity(a);
}

function fromEntity(a: ActionRecord): ActionRequestType {
  return Object.assign(new ActionRequestType(), {
    id: a.id,
    agentId: a.agent.id,
    revisionOfId: a.revisionOf?.id ?? null,
    type: a.type,
    operation: a.operation,
    summary: a.summary,
    justification: a.justification,
    expectedOutcome: a.expectedOutcome,
    resource: a.resource,
    dataClassification: a.dataClassification,
    dataCategories: a.dataCategories,
    recordCount: a.recordCount,
    destination: a.destinationSystem !== null || a.destinationExternal !== null ? { system: a.destinationSystem, external: a.destinationExternal ?? false } : null,
    amount: a.amountValue !== null && a.amountCurrency !== null ? { value: a.amountValue, currency: a.amountCurrency } : null,
    payload: a.payload,
    context: a.context,
    idempotencyKey: a.idempotencyKey,
    risk: { score: a.riskScore, level: a.riskLevel, factors: a.riskFactors },
    mode: a.mode,
    status: a.status,
    statusReason: a.statusReason,
    reviewStatus: a.reviewStatus,
    policy: a.policy,
    consequences: a.consequences ? { approve: a.consequences.approve ?? null, deny: a.consequences.deny ?? null } : null,
    notes: a.notes,
    route: a.route,
    chain: a.chain,
    escalationLevel: a.escalationLevel,
    deadline: a.deadline,
    requiredApprovals: a.requiredApprovals,
    governanceVersion: a.governanceVersion,
    approvedPayload: a.approvedPayload,
    receipt: a.receipt,
    outcome: a.outcomeStatus && a.outcomeAt ? { status: a.outcomeStatus, detail: a.outcomeDetail, result: a.outcomeResult, at: a.outcomeAt } : null,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    decidedAt: a.decidedAt,
  } satisfies ActionRequestType);
}

function fromRow(r: ActionRow): ActionRequestType {
  const view: WithRelations = Object.assign(new ActionRequestType(), {
    id: r.id,
    agentId: r.agent_id,
    revisionOfId: r.revision_of_id,
    type: r.type,
    operation: r.operation,
    summary: r.summary,
    justification: r.justification,
    expectedOutcome: r.expected_outcome,
    resource: r.resource,
    dataClassification: r.data_classification,
    dataCategories: r.data_categories,
    recordCount: r.record_count,
    destination: r.destination_system !== null || r.destination_external !== null ? { system: r.destination_system, external: r.destination_external ?? false } : null,
    amount: r.amount_value !== null && r.amount_currency !== null ? { value: r.amount_value, currency: r.amount_currency } : null,
    payload: r.payload,
    context: r.context,
    idempotencyKey: r.idempotency_key,
    risk: { score: r.risk_score, level: r.risk_level, factors: r.risk_factors },
    mode: r.mode,
    status: r.status,
    statusReason: r.status_reason,
    reviewStatus: r.review_status,
    policy: r.policy,
    consequences: r.consequences ? { approve: r.consequences.approve ?? null, deny: r.consequences.deny ?? null } : null,
    notes: r.notes,
    route: r.route,
    chain: r.chain,
    escalationLevel: r.escalation_level,
    deadline: toDateOrNull(r.deadline),
    requiredApprovals: r.required_approvals,
    governanceVersion: r.governance_version,
    approvedPayload: r.approved_payload,
    receipt: r.receipt,
    outcome: r.outcome_status && r.outcome_at !== null ? { status: r.outcome_status, detail: r.outcome_detail, result: r.outcome_result, at: toDate(r.outcome_at) } : null,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
    decidedAt: toDateOrNull(r.decided_at),
  } satisfies ActionRequestType);
  if (r.rel_agent !== undefined && r.rel_decisions !== undefined) {
    view[RELATIONS] = toRelations({ rel_agent: r.rel_agent, rel_assignees: r.rel_assignees, rel_decisions: r.rel_decisions });
  }
  return view;
}
