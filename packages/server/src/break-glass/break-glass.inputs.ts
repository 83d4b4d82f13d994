import { Field, InputType } from 'type-graphql';

@InputType('BreakGlassInput', { description: 'Break-glass (DESIGN §12): why this cannot wait for an approver.' })
export class BreakGlassInput {
  @Field(() => String, { description: 'Required, 1–2000 characters: approvers and every admin channel read it.' }) justification!: string;
}
