import { ObjectType, Field, ID } from 'type-graphql';
import { AgentStatus, PrincipalKind } from '../shared/enums.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';

@ObjectType('Approver', { description: 'A person who approves or reviews actions.' })
export class ApproverType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true, description: 'Their Slack member id, when Slack approvals reach them.' }) slackUserId!: string | null;
  @Field(() => [String]) roles!: string[];
  @Field(() => Boolean) active!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('Agent', { description: 'An AI agent that asks Countersign before it acts.' })
export class AgentType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => AgentStatus) status!: AgentStatus;
  @Field(() => String, { nullable: true, description: 'Why the agent was suspended.' }) suspendedReason!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('Principal', { description: 'Whoever is calling: an agent, an approver or an admin.' })
export class PrincipalType {
  @Field(() => PrincipalKind) kind!: PrincipalKind;
  @Field(() => ID, { nullable: true, description: 'Null for the bootstrap admin token.' }) id!: string | null;
  @Field(() => String) name!: string;
  @Field(() => [String], { description: "An approver's roles; empty for others." }) roles!: string[];
  @Field(() => AgentType, { nullable: true }) agent!: AgentType | null;
  @Field(() => ApproverType, { nullable: true }) approver!: ApproverType | null;
}

@ObjectType('CreateAgentPayload')
export class CreateAgentPayload {
  @Field(() => AgentType) agent!: AgentType;
  @Field(() => String, { description: 'The API key. Shown once: it is stored only as a hash.' }) apiKey!: string;
}

@ObjectType('RotateAgentKeyPayload')
export class RotateAgentKeyPayload {
  @Field(() => AgentType) agent!: AgentType;
  @Field(() => String, { description: 'The new API key (the old one stops working at once). Shown once.' }) apiKey!: string;
}

@ObjectType('CreateApproverPayload')
export class CreateApproverPayload {
  @Field(() => ApproverType) approver!: ApproverType;
  @Field(() => String, { description: 'The approver token. Shown once: it is stored only as a hash.' }) token!: string;
}

@ObjectType('AdminTokenInfo')
export class AdminTokenType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the token was revoked; it authenticates nobody since.' }) revokedAt!: Date | null;
}

@ObjectType('RotateApproverTokenPayload')
export class RotateApproverTokenPayload {
  @Field(() => ApproverType) approver!: ApproverType;
  @Field(() => String, { description: 'The new approver token (the old one stops working at once, open connections included). Shown once.' }) token!: string;
}

@ObjectType('CreateAdminTokenPayload')
export class CreateAdminTokenPayload {
  @Field(() => AdminTokenType) adminToken!: AdminTokenType;
  @Field(() => String, { description: 'The admin token. Shown once: it is stored only as a hash.' }) token!: string;
}

export const AgentConnection = Connection(AgentType, 'AgentConnection');
export const ApproverConnection = Connection(ApproverType, 'ApproverConnection');
