import { ObjectType, Field, Int } from 'type-graphql';
import { ActionStatus, Mode } from '../shared/enums.js';

@ObjectType('ModeCount', { description: 'How many requests were handled in one mode.' })
export class ModeCountType {
  @Field(() => Mode) mode!: Mode;
  @Field(() => Int) count!: number;
}

@ObjectType('StatusCount', { description: 'How many requests are in one status.' })
export class StatusCountType {
  @Field(() => ActionStatus) status!: ActionStatus;
  @Field(() => Int) count!: number;
}
