import { Entity, PrimaryKey, Property, Index, ManyToOne, Enum, ArrayType, JsonType, DecimalType, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ActionStatus, DataClassification, Mode, Operation, OutcomeStatus, ReviewStatus, RiskLevel } from '../shared/enums.js';
import { Agent } from '../principals/agent.entity.js';
import type { RecordOf } from '../shared/record.js';

/** One risk factor as shown to approvers: which dimension, how many points, and why. */
export interface RiskFactor {
  dimension: string;
  points: number;
  detail: string;
}

/**
 * An agent's request to perform one action, with everything that decided its fate: the
 * submitted input, the risk assessment, the policy and route, the escalation state, the
 * decision and the outcome. Requests keep the governance version that routed them, so a
 * new document never moves requests already in flight.
 */
@Entity({ tableName: 'action_request' })
@Index({ name: 'action_request_agent_created_idx', properties: ['agent', 'createdAt'] })
@Index({ name: 'action_request_agent_type_created_idx', properties: ['agent', 'type', 'createdAt'] })
@Index({ name: 'action_request_status_created_idx', properties: ['status', 'createdAt'] })
@Index({ name: 'action_request_created_idx', properties: ['createdAt'] })
// Bounded reads for the behaviour signals of every submission (actions/behaviour.ts):
// an agent's denials, and its amounts per type, without scanning the rest of its history.
@Index({
  name: 'action_request_agent_denied_idx',
  expression: 'create index "action_request_agent_denied_idx" on "action_request" ("agent_id", "created_at") where "status" = \'DENIED\'',
})
@Index({
  name: 'action_request_agent_type_amount_idx',
  expression: 'create index "action_request_agent_type_amount_idx" on "action_request" ("agent_id", "type", "created_at") where "amount_value" is not null',
})
@Index({ name: 'action_request_type_created_idx', properties: ['type', 'createdAt'] })
@Index({ name: 'action_request_decided_idx', properties: ['decidedAt'] })
@Index({
  name: 'action_request_agent_idempotency_key_uq',
  expression: 'create unique index "action_request_agent_idempotency_key_uq" on "action_request" ("agent_id", "idempotency_key") where "idempotency_key" is not null',
})
export class ActionRequest {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Agent, { deleteRule: 'cascade' })
  agent!: Agent;

  // --- what the agent asked for (DESIGN §2 step 1) ---
  @Property({ type: 'text' })
  type!: string;

  @Enum({ items: () => Operation })
  operation!: Operation;

  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'text', nullable: true })
  justification: string | null = null;

  @Property({ type: 'text', nullable: true })
  expectedOutcome: string | null = null;

  @Property({ type: 'text', nullable: true })
  resource: string | null = null;

  @Enum({ items: () => DataClassification, nullable: true })
  dataClassification: DataClassification | null = null;

  @Property({ type: ArrayType })
  dataCategories: string[] & Opt = [];

  @Property({ type: 'integer', nullable: true })
  recordCount: number | null = null;

  @Property({ type: 'text', nullable: true })
  destinationSystem: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  destinationExternal: boolean | null = null;

  /** Stored exactly (numeric); read back as a JS number for display and scoring. */
  @Property({ type: new DecimalType('number'), precision: 20, scale: 4, nullable: true })
  amountValue: number | null = null;

  @Property({ type: 'text', nullable: true })
  amountCurrency: string | null = null;

  @Property({ type: JsonType, nullable: true })
  payload: unknown = null;

  @Property({ type: JsonType, nullable: true })
  context: unknown = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @ManyToOne(() => ActionRequest, { nullable: true, deleteRule: 'set null' })
  revisionOf: ActionRequest | null = null;

  // --- assessment (step 2) ---
  @Property({ type: 'smallint' })
  riskScore!: number;

  @Enum({ items: () => RiskLevel })
  riskLevel!: RiskLevel;

  @Property({ type: JsonType })
  riskFactors!: RiskFactor[];

  /** The behaviour signals as they were at submission, so simulations replay them faithfully. */
  @Property({ type: JsonType, nullable: true })
  behaviour: unknown = null;

  // --- policy (step 3) ---
  @Enum({ items: () => Mode })
  mode!: Mode;

  @Property({ type: 'text', nullable: true })
  policy: string | null = null;

  @Property({ type: JsonType, nullable: true })
  consequences: { approve?: string; deny?: string } | null = null;

  /** Sentences about evaluation: CEL errors counted as false, adjustments applied. */
  @Property({ type: JsonType })
  notes: string[] & Opt = [];

  @Property({ type: 'integer', nullable: true })
  governanceVersion: number | null = null;

  @Property({ type: 'smallint' })
  requiredApprovals: number & Opt = 1;

  // --- status ---
  @Enum({ items: () => ActionStatus })
  status!: ActionStatus;

  /** Why the request ended as it did when no human decided it (BLOCK, NO_ROUTE, SUSPENDED, EXPIRED...). */
  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  @Enum({ items: () => ReviewStatus, nullable: true })
  reviewStatus: ReviewStatus | null = null;

  // --- route and escalation (steps 5–6) ---
  @Property({ type: 'text', nullable: true })
  route: string | null = null;

  @Property({ type: 'text', nullable: true })
  chain: string | null = null;

  /** The chain as it was when routed (levels, approvers, timeouts), so in-flight requests keep it. */
  @Property({ type: JsonType, nullable: true })
  chainSnapshot: unknown = null;

  /** 1-based level of the chain currently assigned; null when no human is involved. */
  @Property({ type: 'smallint', nullable: true })
  escalationLevel: number | null = null;

  /** Which pass over the chain (0 first) when the chain repeats. */
  @Property({ type: 'smallint' })
  escalationRound: number & Opt = 0;

  @Property({ type: 'timestamptz', nullable: true })
  deadline: Date | null = null;

  // --- result (steps 8–11) ---
  @Property({ type: JsonType, nullable: true })
  approvedPayload: unknown = null;

  @Property({ type: 'text', nullable: true })
  receipt: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;

  @Enum({ items: () => OutcomeStatus, nullable: true })
  outcomeStatus: OutcomeStatus | null = null;

  @Property({ type: 'text', nullable: true })
  outcomeDetail: string | null = null;

  @Property({ type: JsonType, nullable: true })
  outcomeResult: unknown = null;

  @Property({ type: 'timestamptz', nullable: true })
  outcomeAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/**
 * A request as a plain record — what a submission writes, without an entity instance
 * (db/row-batch.ts). An ActionRequest is one too, so views and the escalation logic read
 * either.
 */
export type ActionRecord = RecordOf<ActionRequest, 'agent' | 'revisionOf'>;
