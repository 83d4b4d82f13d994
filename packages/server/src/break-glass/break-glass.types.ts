import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

@ObjectType('BreakGlass', { description: 'Break-glass as the agent asked for it on a request (DESIGN §12).' })
export class BreakGlassType {
  @Field(() => String, { description: "The agent's reason why this could not wait for an approver." }) justification!: string;
  @Field(() => Boolean, { description: 'True when break-glass approved the request (statusReason BREAK_GLASS); false when it was refused (BREAK_GLASS_LIMIT, BREAK_GLASS_NOT_ALLOWED, NO_ROUTE) or not needed (see notes).' })
  used!: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the last level of its chain timed out with nobody acknowledging or flagging it: the review is overdue (it stays in that level\'s review queue).' })
  reviewOverdueSince!: Date | null;
}
