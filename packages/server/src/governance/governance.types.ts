import { ObjectType, Field, Int } from 'type-graphql';
import { ChangeOp } from '../shared/enums.js';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';

@ObjectType('GovernanceChange', { description: 'One policy, route, chain or the risk model, added, changed or removed.' })
export class GovernanceChangeType {
  @Field(() => String, { description: 'riskModel, policy, grants (a policy\'s standing approvals), escalationChain or route.' }) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => ChangeOp) op!: ChangeOp;
}

@ObjectType('ApplyGovernancePayload')
export class ApplyGovernancePayload {
  @Field(() => Int, { description: 'The version now in force (on a dry run: the version this document would become).' }) version!: number;
  @Field(() => [GovernanceChangeType]) changes!: GovernanceChangeType[];
  @Field(() => [String], { description: 'Things that will not work as written (lints); the document still applies.' }) warnings!: string[];
  @Field(() => Boolean, { description: 'False on a dry run, and when the document changes nothing.' }) applied!: boolean;
}

@ObjectType('GovernanceVersion')
export class GovernanceVersionType {
  @Field(() => Int) version!: number;
  @Field(() => String, { description: 'The document exactly as applied (YAML or JSON).' }) document!: string;
  @Field(() => JSONScalar, { description: 'The document validated and normalised: defaults filled in, durations in seconds.' }) normalized!: unknown;
  @Field(() => [GovernanceChangeType]) changes!: GovernanceChangeType[];
  @Field(() => [String]) warnings!: string[];
  @Field(() => String, { description: 'Who applied it (ADMIN:<id>).' }) appliedBy!: string;
  @Field(() => DateTimeScalar) appliedAt!: Date;
}

@ObjectType('Governance', { description: 'The governance document in force and the versions before it.' })
export class GovernanceType {
  @Field(() => Int, { nullable: true, description: 'Null until a document is applied (the defaults of DESIGN §2 apply).' }) version!: number | null;
  @Field(() => String, { nullable: true }) document!: string | null;
  @Field(() => GovernanceVersionType, { nullable: true }) current!: GovernanceVersionType | null;
  @Field(() => [GovernanceVersionType], { description: 'Newest first.' }) history!: GovernanceVersionType[];
}
