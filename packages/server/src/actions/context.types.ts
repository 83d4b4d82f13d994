import { ObjectType, Field, ID, Int, Float, registerEnumType } from 'type-graphql';
import { ActionStatus, Mode, Operation, ReviewStatus, Verdict } from '../shared/enums.js';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { AmountType, DecisionType, DestinationType, RiskType } from './action.types.js';
import { ModeCountType } from './counts.types.js';
import { PayloadChangeKind } from './revision-diff.js';

/**
 * Another request shown as context: what was asked and how it ended, without its payload
 * or context (those stay with the people the request was routed to; open it with
 * `action(id)` if you may read it).
 */
@ObjectType('ActionDigest', { description: 'A past request in brief: what was asked and how it ended, without its payload or context.' })
export class ActionDigestType {
  @Field(() => ID) id!: string;
  @Field(() => String) type!: string;
  @Field(() => Operation) operation!: Operation;
  @Field(() => String) summary!: string;
  @Field(() => String, { nullable: true }) resource!: string | null;
  @Field(() => AmountType, { nullable: true }) amount!: AmountType | null;
  @Field(() => DestinationType, { nullable: true }) destination!: DestinationType | null;
  @Field(() => RiskType) risk!: RiskType;
  @Field(() => Mode) mode!: Mode;
  @Field(() => ActionStatus) status!: ActionStatus;
  @Field(() => String, { nullable: true }) statusReason!: string | null;
  @Field(() => ReviewStatus, { nullable: true }) reviewStatus!: ReviewStatus | null;
  @Field(() => String, { nullable: true }) policy!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) decidedAt!: Date | null;

  /** Keys for the field resolvers. */
  agentId!: string;
}

@ObjectType('PastDecision', { description: "An approver's verdict on a past request: who, what, when and why." })
export class PastDecisionType {
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => DateTimeScalar) at!: Date;
  approverId!: string;
  onBehalfOfId!: string | null;
}

@ObjectType('SimilarActions', { description: 'Earlier requests of the same type, newest first, as precedent for this one.' })
export class SimilarActionsType {
  @Field(() => [ActionDigestType], { description: "The same agent's earlier requests of this type." })
  sameAgent!: ActionDigestType[];

  @Field(() => [ActionDigestType], { description: "Other agents' earlier requests of this type." })
  otherAgents!: ActionDigestType[];
}

@ObjectType('UsualAmount', { description: "The amounts an agent usually asks for with one action type and currency." })
export class UsualAmountType {
  @Field(() => String) type!: string;
  @Field(() => String) currency!: string;
  @Field(() => Float, { description: 'Median.' }) p50!: number;
  @Field(() => Float, { description: '95th percentile: its normal high.' }) p95!: number;
  @Field(() => Int, { description: 'How many amounts the percentiles are taken over.' }) samples!: number;
}

@ObjectType('AgentBaseline', {
  description:
    "What is normal for an agent, from its own history: its most recent requests (up to 200) of the last 30 days. " +
    'Rates are null when there is nothing to take them over.',
})
export class AgentBaselineType {
  @Field(() => DateTimeScalar, { description: 'The start of the history the numbers cover.' }) since!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the agent first asked for anything.' }) firstSeenAt!: Date | null;
  @Field(() => Int, { description: 'Requests the numbers are taken over.' }) requests!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Its usual requests per hour, as the risk model measured it for its latest request: over the week before, up to an hour before (null with under a day of history).',
  })
  actionsPerHour!: number | null;
  @Field(() => Int, { description: 'Requests in the last hour (counted up to 10,000), to hold against actionsPerHour.' }) requestsLastHour!: number;
  @Field(() => [ModeCountType]) byMode!: ModeCountType[];
  @Field(() => Int, { description: 'Requests held for approval that a human decided.' }) humanDecisions!: number;
  @Field(() => Float, { nullable: true, description: 'Share of humanDecisions that approved.' }) approvalRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of humanDecisions that denied.' }) denialRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of humanDecisions that asked for changes.' }) changesRequestedRate!: number | null;
  @Field(() => Int, { description: 'Requests that ran under ASYNC_REVIEW and were reviewed since.' }) reviewed!: number;
  @Field(() => Float, { nullable: true, description: 'Share of the reviewed requests a reviewer flagged.' }) flagRate!: number | null;
  @Field(() => Int, { description: 'Requests a policy blocked.' }) blocked!: number;
  @Field(() => Int, { description: 'Requests that expired with nobody deciding.' }) expired!: number;
  @Field(() => [UsualAmountType], { description: 'Per action type and currency, most frequent first.' }) usualAmounts!: UsualAmountType[];
}

registerEnumType(PayloadChangeKind, { name: 'PayloadChangeKind', description: 'How one place in a payload differs.' });

@ObjectType('FieldChange', { description: 'A submitted field that differs between a revision and the request it revises.' })
export class FieldChangeType {
  @Field(() => String, { description: 'The ActionRequest field, e.g. amount or justification.' }) field!: string;
  @Field(() => JSONScalar, { nullable: true }) before!: unknown;
  @Field(() => JSONScalar, { nullable: true }) after!: unknown;
}

@ObjectType('PayloadChange', { description: 'One place where the payload of a revision differs from the original.' })
export class PayloadChangeType {
  @Field(() => String, { description: 'e.g. amount, beneficiary.iban, lines[2].qty; empty for the payload as a whole.' }) path!: string;
  @Field(() => PayloadChangeKind) change!: PayloadChangeKind;
  @Field(() => JSONScalar, { nullable: true }) before!: unknown;
  @Field(() => JSONScalar, { nullable: true }) after!: unknown;
}

@ObjectType('RevisionChanges', { description: 'What a resubmission changed against the request it revises, next to what was asked.' })
export class RevisionChangesType {
  @Field(() => DecisionType, { nullable: true, description: 'The decision that asked for changes: who, the comment, and any suggested payload.' })
  requestedChanges!: DecisionType | null;

  @Field(() => [FieldChangeType], { description: 'Submitted fields that differ (payload and context aside).' }) fields!: FieldChangeType[];
  @Field(() => [PayloadChangeType], { description: 'Payload differences, key by key (at most 100).' }) payload!: PayloadChangeType[];
  @Field(() => Boolean, { description: 'True when the payload differs in more places than are listed.' }) payloadTruncated!: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Whether the new payload is exactly the one the approver suggested (null: none was suggested).' })
  followsSuggestion!: boolean | null;
}
