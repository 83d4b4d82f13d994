import { InputType, Field, ID } from 'type-graphql';
import { ReviewVerdict, Verdict } from '../shared/enums.js';
import { JSONScalar } from '../graphql/scalars.js';
import { DecisionGrantInput } from '../grants/grant.inputs.js';

@InputType('DecisionInput')
export class DecisionInput {
  @Field(() => ID) actionId!: string;
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => String, { nullable: true, description: 'Required with REQUEST_CHANGES: what to change.' }) comment?: string | null;
  @Field(() => JSONScalar, { nullable: true, description: 'APPROVE: the arguments approved instead of the submitted ones (the agent must use them). REQUEST_CHANGES: a suggested payload.' })
  modifiedPayload?: unknown;
  @Field(() => DecisionGrantInput, { nullable: true, description: 'APPROVE only: also let later requests of this agent and type through within this scope (a standing approval, DESIGN §12).' })
  grant?: DecisionGrantInput | null;
}

@InputType('ReviewInput')
export class ReviewInput {
  @Field(() => ID) actionId!: string;
  @Field(() => ReviewVerdict) verdict!: ReviewVerdict;
  @Field(() => String, { nullable: true }) comment?: string | null;
}
