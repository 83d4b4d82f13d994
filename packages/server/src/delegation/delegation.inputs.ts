import { InputType, Field, ID } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

@InputType('DelegationInput', { description: 'Hand your approvals to someone else for a while (DESIGN §2 step 7).' })
export class DelegationInput {
  @Field(() => ID, { description: 'Who decides in your place. Must be an active approver other than the delegator.' })
  toApproverId!: string;

  @Field(() => ID, { nullable: true, description: 'Admins only, and required for them: whose approvals are handed over. Approvers delegate their own.' })
  fromApproverId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the delegation starts; now when omitted. Requests already pending move to the delegate when it starts.' })
  startsAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ends (exclusive); open-ended when omitted. Pending requests move back when it ends.' })
  endsAt?: Date | null;

  @Field(() => [String], { nullable: true, description: 'Only requests that reached the delegator through one of these roles; every role when omitted.' })
  roles?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Only these action types, exact (`payments.transfer`) or by prefix (`payments.*`); every type when omitted.' })
  actionTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Why, for the audit trail (e.g. "on leave until the 14th").' })
  reason?: string | null;
}
