import { ObjectType, Field, ID } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';
import type { Delegation } from './delegation.entity.js';

@ObjectType('Delegation', { description: 'An approver (`from`) has someone else (`to`) decide in their place for a time window.' })
export class DelegationType {
  @Field(() => ID) id!: string;
  @Field(() => DateTimeScalar) startsAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Exclusive; null while open-ended.' }) endsAt!: Date | null;
  @Field(() => [String], { nullable: true, description: 'The roles it covers; null for every role.' }) roles!: string[] | null;
  @Field(() => [String], { nullable: true, description: 'The action types it covers (exact or `prefix.*`); null for every type.' }) actionTypes!: string[] | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => Boolean, { description: 'In force now: started, not ended, not revoked.' }) active!: boolean;
  /** Resolved to `from` and `to` by field resolvers, batched. */
  fromId!: string;
  toId!: string;
}

export const DelegationConnection = Connection(DelegationType, 'DelegationConnection');

/** Whether a delegation is in force at `at`: the same window rule the resolution applies. */
export function isInForce(d: Pick<Delegation, 'startsAt' | 'endsAt' | 'revokedAt'>, at: Date): boolean {
  const t = at.getTime();
  const revoked = d.revokedAt !== null && d.revokedAt.getTime() <= t;
  return !revoked && d.startsAt.getTime() <= t && (d.endsAt === null || t < d.endsAt.getTime());
}

/** The API's view of a stored delegation. */
export function toDelegationView(d: Delegation, now = new Date()): DelegationType {
  return {
    id: d.id,
    fromId: d.from.id,
    toId: d.to.id,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    roles: d.roles,
    actionTypes: d.actionTypes,
    reason: d.reason,
    createdAt: d.createdAt,
    revokedAt: d.revokedAt,
    active: isInForce(d, now),
  };
}
