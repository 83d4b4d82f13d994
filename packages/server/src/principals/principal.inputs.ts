import { InputType, Field, ID } from 'type-graphql';

@InputType('CreateAgentInput')
export class CreateAgentInput {
  @Field(() => String, { description: 'Unique; letters, digits, dots, dashes and underscores.' }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => ID, { nullable: true, description: 'The approver who owns the agent (cannot approve its requests).' }) ownerId?: string | null;
}

@InputType('CreateApproverInput')
export class CreateApproverInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => [String], { nullable: true }) roles?: string[] | null;
  @Field(() => String, { nullable: true, description: "The approver's Slack member id (e.g. U012ABCDEF, from their Slack profile: ⋮ → Copy member ID): Slack direct messages with Approve/Deny buttons reach them. Null clears it." }) slackUserId?: string | null;
}

@InputType('UpdateApproverInput')
export class UpdateApproverInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => [String], { nullable: true, description: 'Replaces the roles.' }) roles?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Inactive approvers get no work and cannot sign in.' }) active?: boolean | null;
  @Field(() => String, { nullable: true, description: "The approver's Slack member id (e.g. U012ABCDEF, from their Slack profile: ⋮ → Copy member ID): Slack direct messages with Approve/Deny buttons reach them. Null clears it. An approver may set their own (and nothing else)." }) slackUserId?: string | null;
}
