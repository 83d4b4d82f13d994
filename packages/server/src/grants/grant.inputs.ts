import { InputType, Field, ID, Int, Float } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';
import { AmountInput, DestinationInput } from '../actions/action.inputs.js';

@InputType('CreateGrantInput', { description: 'A standing approval as code or by an admin (DESIGN §12). Approvers may grant only what they could approve.' })
export class CreateGrantInput {
  @Field(() => ID) agentId!: string;
  @Field(() => String, { description: 'Exact (`payments.transfer`) or a prefix (`payments.*`).' }) actionType!: string;
  @Field(() => String, { nullable: true, description: 'A CEL condition over `action` and `agent` that must also hold, e.g. `action.resource.startsWith("invoice:")`.' })
  when?: string | null;
  @Field(() => AmountInput, { nullable: true, description: 'The ceiling (inclusive); only requests in this currency are covered.' }) maxAmount?: AmountInput | null;
  @Field(() => DestinationInput, { nullable: true, description: 'Only requests to this very destination.' }) destination?: DestinationInput | null;
  @Field(() => Int, { nullable: true, description: 'How many requests it may let through (null: any number until it expires).' }) maxUses?: number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: "When it ends; at most the policies' grants.maxTtl from now (that longest maxTtl when omitted)." })
  expiresAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'Why, for the audit trail and the granter\'s reviewers.' }) reason?: string | null;
}

@InputType('DecisionGrantInput', {
  description: 'With an APPROVE: let later requests of the same agent and type through within this scope (DESIGN §12). Not with a quorum of more than one.',
})
export class DecisionGrantInput {
  @Field(() => String, { description: 'How long it lasts: `30m`, `8h`, or seconds; at most the policy\'s grants.maxTtl.' }) ttl!: string;
  @Field(() => Int, { nullable: true, description: 'How many requests it may let through (null: any number until it expires).' }) maxUses?: number | null;
  @Field(() => Float, { nullable: true, description: 'The amount ceiling (inclusive), in the currency of the request decided.' }) maxAmount?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Only requests to the same destination as this one.' }) sameDestination?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Only requests with the very arguments approved now.' }) sameArguments?: boolean | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@InputType('GrantFilter')
export class GrantFilter {
  @Field(() => ID, { nullable: true }) agentId?: string | null;
  @Field(() => String, { nullable: true, description: 'Grants whose actionType is exactly this.' }) actionType?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: only those that can let a request through now; false: only expired, used up or revoked ones.' })
  active?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'Admins: only the grants of this approver.' }) grantedBy?: string | null;
}
