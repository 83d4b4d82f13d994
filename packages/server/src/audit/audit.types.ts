import { ObjectType, Field, Int, Float, InputType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

@ObjectType('AuditChainVerification')
export class ChainVerificationType {
  @Field(() => Boolean) valid!: boolean;
  @Field(() => Int, { description: 'Events found intact before the first break (all of them when valid).' }) checked!: number;
  @Field(() => Float, { nullable: true, description: 'Sequence number of the first bad event, or null.' }) brokenAt!: number | null;
}

@InputType('AuditFilter', { description: 'All given conditions must hold.' })
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'The id of what the events are about (a request, an agent…).' }) subjectId?: string | null;
  @Field(() => [String], { nullable: true, description: 'Event kinds, e.g. ACTION_DECIDED.' }) kind?: string[] | null;
  @Field(() => DateTimeScalar, { nullable: true }) since?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) until?: Date | null;
}
