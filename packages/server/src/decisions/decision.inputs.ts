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
  @Field(() => String, {
    nullable: true,
    description:
      'APPROVE: the candidatePayloadHash of the request as you reviewed it. When another approver has made a different payload the candidate since (an APPROVE with a modifiedPayload), the vote is refused with CONFLICT (extensions.reason PAYLOAD_CHANGED, extensions.candidatePayloadHash the current one) and nothing is written, so your approval never counts for a payload you did not see. Optional, but every client that shows a person the payload should send it. DENY and REQUEST_CHANGES end the request whatever the payload: they do not compare it.',
  })
  expectedPayloadHash?: string | null;
  @Field(() => DecisionGrantInput, { nullable: true, description: 'APPROVE only: also let later requests of this agent and type through within this scope (a standing approval, DESIGN §12).' })
  grant?: DecisionGrantInput | null;
}

@InputType('ReviewInput')
export class ReviewInput {
  @Field(() => ID) actionId!: string;
  @Field(() => ReviewVerdict) verdict!: ReviewVerdict;
  @Field(() => String, { nullable: true }) comment?: string | null;
}
