import { ObjectType, Field, ID, Int, Float } from 'type-graphql';
import { ActionStatus, DataClassification, Mode, Operation, OutcomeStatus, ReviewStatus, ReviewVerdict, RiskLevel, Verdict } from '../shared/enums.js';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';

@ObjectType('Destination')
export class DestinationType {
  @Field(() => String, { nullable: true }) system!: string | null;
  @Field(() => Boolean) external!: boolean;
}

@ObjectType('Amount')
export class AmountType {
  @Field(() => Float) value!: number;
  @Field(() => String) currency!: string;
}

@ObjectType('RiskFactor', { description: 'One reason for the score, with its points and a sentence of why.' })
export class RiskFactorType {
  @Field(() => String) dimension!: string;
  @Field(() => Int) points!: number;
  @Field(() => String) detail!: string;
}

@ObjectType('Risk')
export class RiskType {
  @Field(() => Int, { description: '0–100.' }) score!: number;
  @Field(() => RiskLevel) level!: RiskLevel;
  @Field(() => [RiskFactorType]) factors!: RiskFactorType[];
}

@ObjectType('Consequences', { description: 'What happens if the request is approved, or denied (from the policy).' })
export class ConsequencesType {
  @Field(() => String, { nullable: true }) approve!: string | null;
  @Field(() => String, { nullable: true }) deny!: string | null;
}

@ObjectType('Outcome')
export class OutcomeType {
  @Field(() => OutcomeStatus) status!: OutcomeStatus;
  @Field(() => String, { nullable: true }) detail!: string | null;
  @Field(() => JSONScalar, { nullable: true }) result!: unknown;
  @Field(() => DateTimeScalar) at!: Date;
}

@ObjectType('AuditEvent', { description: 'One link of the tamper-evident audit chain.' })
export class AuditEventType {
  @Field(() => Float, { description: 'Position in the chain: 1, 2, 3…' }) seq!: number;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => String) kind!: string;
  @Field(() => String) subjectType!: string;
  @Field(() => String, { nullable: true }) subjectId!: string | null;
  @Field(() => String) actorType!: string;
  @Field(() => String, { nullable: true }) actorId!: string | null;
  @Field(() => JSONScalar, { nullable: true }) data!: unknown;
  @Field(() => String) prevHash!: string;
  @Field(() => String) hash!: string;
}

/**
 * The request as the API shows it. Relations (agent, assignees, decisions, audit trail,
 * revisionOf) are resolved by field resolvers, batched per request.
 */
@ObjectType('ActionRequest', { description: 'An agent\'s request to act, with everything an approver needs to decide.' })
export class ActionRequestType {
  @Field(() => ID) id!: string;
  @Field(() => String) type!: string;
  @Field(() => Operation) operation!: Operation;
  @Field(() => String) summary!: string;
  @Field(() => String, { nullable: true }) justification!: string | null;
  @Field(() => String, { nullable: true }) expectedOutcome!: string | null;
  @Field(() => String, { nullable: true }) resource!: string | null;
  @Field(() => DataClassification, { nullable: true }) dataClassification!: DataClassification | null;
  @Field(() => [String]) dataCategories!: string[];
  @Field(() => Int, { nullable: true }) recordCount!: number | null;
  @Field(() => DestinationType, { nullable: true }) destination!: DestinationType | null;
  @Field(() => AmountType, { nullable: true }) amount!: AmountType | null;
  @Field(() => JSONScalar, { nullable: true }) payload!: unknown;
  @Field(() => JSONScalar, { nullable: true }) context!: unknown;
  @Field(() => String, { nullable: true }) idempotencyKey!: string | null;

  @Field(() => RiskType) risk!: RiskType;
  @Field(() => Mode) mode!: Mode;
  @Field(() => ActionStatus) status!: ActionStatus;
  @Field(() => String, { nullable: true, description: 'Why it ended as it did when no human decided (BLOCKED_BY_POLICY, NO_ROUTE, AGENT_SUSPENDED, EXPIRED…). While PENDING, QUORUM_UNREACHABLE: it needs more approvals than its chain has people who may give them (see notes), so it will expire unless approvers are added.' })
  statusReason!: string | null;
  @Field(() => ReviewStatus, { nullable: true }) reviewStatus!: ReviewStatus | null;
  @Field(() => String, { nullable: true, description: 'The policy that decided the mode (null: defaults).' }) policy!: string | null;
  @Field(() => ConsequencesType, { nullable: true }) consequences!: ConsequencesType | null;
  @Field(() => [String], { description: 'Evaluation notes: conditions that failed to evaluate (counted as false), adjustments applied.' }) notes!: string[];
  @Field(() => String, { nullable: true }) route!: string | null;
  @Field(() => String, { nullable: true, description: 'The escalation chain the route named.' }) chain!: string | null;
  @Field(() => Int, { nullable: true, description: '1-based level of the chain now assigned.' }) escalationLevel!: number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the current level times out.' }) deadline!: Date | null;
  @Field(() => Int) requiredApprovals!: number;
  @Field(() => Int, { nullable: true, description: 'The governance version that decided this request.' }) governanceVersion!: number | null;
  @Field(() => JSONScalar, { nullable: true, description: 'APPROVED only: the arguments to run with (the approver\'s modification, if any).' }) approvedPayload!: unknown;
  @Field(() => String, { nullable: true, description: 'APPROVED only: compact JWS (EdDSA) binding this action to approvedPayload; verify with /.well-known/jwks.json.' }) receipt!: string | null;
  @Field(() => OutcomeType, { nullable: true }) outcome!: OutcomeType | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) decidedAt!: Date | null;

  /** Not exposed directly: keys for the field resolvers. */
  agentId!: string;
  revisionOfId!: string | null;
}

@ObjectType('DecisionRecord', { description: "One approver's verdict." })
export class DecisionType {
  @Field(() => ID) id!: string;
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: 'APPROVE: the approved arguments; REQUEST_CHANGES: a suggestion.' }) modifiedPayload!: unknown;
  @Field(() => Int, { nullable: true }) escalationLevel!: number | null;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Int, { description: 'The candidate payload the vote was cast on: 0 the submitted payload, n the n-th modification an approver approved.' })
  candidate!: number;
  @Field(() => Boolean, {
    nullable: true,
    description: 'For an approval: whether a later approver modified the payload it approved, so that it no longer counts toward the quorum (the approver may approve the new candidate). Null for a denial or a change request.',
  })
  superseded!: boolean | null;
  approverId!: string;
  onBehalfOfId!: string | null;
}

@ObjectType('ReviewRecord', { description: 'An after-the-fact review of an ASYNC_REVIEW request.' })
export class ReviewType {
  @Field(() => ID) id!: string;
  @Field(() => ReviewVerdict) verdict!: ReviewVerdict;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => DateTimeScalar) at!: Date;
  approverId!: string;
  onBehalfOfId!: string | null;
}

@ObjectType('Assignee', { description: 'Someone asked to act on the request now.' })
export class AssigneeType {
  @Field(() => String, { nullable: true, description: 'The role through which the chain reached them.' }) viaRole!: string | null;
  @Field(() => Int) level!: number;
  approverId!: string;
  onBehalfOfId!: string | null;
}

export const ActionRequestConnection = Connection(ActionRequestType, 'ActionRequestConnection');
export const AuditEventConnection = Connection(AuditEventType, 'AuditEventConnection');
