import type { ActionRecord } from './action-request.entity.js';
import { ActionRequestType } from './action.types.js';
import { RELATIONS, toRelations, type RelationRow, type WithRelations } from './relations.js';

/** `camelCase` → `snake_case`, as the ORM's naming strategy names columns. */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** Columns a plain row leaves out: read where they are needed (the chain by escalation, behaviour by baselines). */
type UnreadColumn = 'behaviour' | 'chainSnapshot' | 'escalationRound';

/** A relation is stored as `<name>_id`. */
type ColumnOf<K extends string> = K extends 'agent' | 'revisionOf' ? `${SnakeCase<K>}_id` : SnakeCase<K>;

/** A value as the driver returns it: timestamps as text or Date, relations as their id. */
type StoredValue<V> = V extends { id: string } ? string : V extends Date ? Date | string : V;

/**
 * A stored request as a plain row (`select ${ACTION_COLUMNS} from "action_request" a`): what
 * read paths that show many requests (the queue pages, revisions) use instead of ORM
 * entities, which cost far more to hydrate and track than the page costs to render.
 * Derived from the entity, so a column added there is a column here (and must be listed
 * in {@link ACTION_COLUMNS}, or the build fails).
 */
export type ActionRow = {
  [K in Exclude<keyof ActionRecord & string, UnreadColumn> as ColumnOf<K>]: StoredValue<ActionRecord[K]>;
} & {
  /** Present when the select added RELATION_COLUMNS or HOLDER_COLUMNS (relations.ts); the assignees with the former only. */
  rel_agent?: RelationRow['rel_agent'];
  rel_assignees?: RelationRow['rel_assignees'];
  rel_decisions?: RelationRow['rel_decisions'];
  /** Present when the select added HOLDER_COLUMNS: who holds the request now. */
  rel_holders?: string[];
};

/** The stored columns of {@link ActionRow}, in the order they are selected. */
const ROW_COLUMNS = [
  'id', 'agent_id', 'revision_of_id', 'type', 'operation', 'summary', 'justification', 'expected_outcome',
  'resource', 'data_classification', 'data_categories', 'record_count', 'destination_system', 'destination_external',
  'amount_value', 'amount_currency', 'payload', 'context', 'idempotency_key', 'risk_score', 'risk_level',
  'risk_factors', 'mode', 'policy', 'consequences', 'notes', 'governance_version', 'required_approvals', 'status',
  'status_reason', 'review_status', 'route', 'chain', 'escalation_level', 'deadline', 'approved_payload', 'receipt',
  'decided_at', 'outcome_status', 'outcome_detail', 'outcome_result', 'outcome_at', 'created_at', 'updated_at',
] as const satisfies readonly Exclude<keyof ActionRow, `rel_${string}`>[];

/** Every stored column of a row is selected: the build fails naming any left out. */
type Unselected = Exclude<Exclude<keyof ActionRow, `rel_${string}`>, (typeof ROW_COLUMNS)[number]>;
const everyColumnSelected: [Unselected] extends [never] ? true : Unselected = true;
void everyColumnSelected;

/**
 * The columns of {@link ActionRow}, from `"action_request" a`. The amount is read as float8:
 * the entity reads the numeric(20,4) back as a JS number too.
 */
export const ACTION_COLUMNS = ROW_COLUMNS.map((column) => (column === 'amount_value' ? `a."amount_value"::float8 as "amount_value"` : `a."${column}"`)).join(', ');

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
