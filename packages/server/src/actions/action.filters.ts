import { InputType, Field, ID } from 'type-graphql';
import { ActionStatus, Mode, RiskLevel } from '../shared/enums.js';
import { DateTimeScalar } from '../graphql/scalars.js';

@InputType('ActionFilter', { description: 'All given conditions must hold.' })
export class ActionFilter {
  @Field(() => ID, { nullable: true }) agentId?: string | null;
  @Field(() => [ActionStatus], { nullable: true }) status?: ActionStatus[] | null;
  @Field(() => [Mode], { nullable: true }) mode?: Mode[] | null;
  @Field(() => [RiskLevel], { nullable: true }) level?: RiskLevel[] | null;
  @Field(() => String, { nullable: true, description: 'Exact type, or a prefix pattern like payments.*' }) type?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Submitted at or after.' }) since?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Submitted before.' }) until?: Date | null;
}
