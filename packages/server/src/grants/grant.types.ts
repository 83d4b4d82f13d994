import { ObjectType, Field, ID, Int } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';
import { Connection } from '../graphql/connection.js';
import { AmountType, DestinationType } from '../actions/action.types.js';
import { PrincipalKind } from '../shared/enums.js';
import { ApproverType } from '../principals/principal.types.js';
import type { Grant } from './grant.entity.js';
import type { UsedGrant } from './at-submission.js';
import { isLive } from './scope.js';

@ObjectType('Grant', {
  description:
    'A standing approval (DESIGN §12): later SYNC_APPROVAL requests of one agent and action type within its scope are approved at once ' +
    '(statusReason GRANTED), each put in the granter\'s review queue, until it expires, is used up or is revoked.',
})
export class GrantType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'Exact (`payments.transfer`) or a prefix (`payments.*`).' }) actionType!: string;
  @Field(() => String, { nullable: true, description: 'A CEL condition over `action` and `agent` that must also hold (null: none).' }) when!: string | null;
  @Field(() => AmountType, { nullable: true, description: 'The ceiling (inclusive) of the amount, in this currency only: a request in another currency, or with no amount, is not covered.' })
  maxAmount!: AmountType | null;
  @Field(() => Boolean, { description: 'Whether only requests to `destination` are covered (a null destination then means: only requests with none).' }) sameDestination!: boolean;
  @Field(() => DestinationType, { nullable: true }) destination!: DestinationType | null;
  @Field(() => Boolean, { description: 'Whether only requests with the very same payload are covered (by `payloadHash`).' }) sameArguments!: boolean;
  @Field(() => String, { nullable: true, description: 'With sameArguments: base64url SHA-256 of the canonical JSON of the payload (as a receipt\'s `pld`).' }) payloadHash!: string | null;
  @Field(() => Int, { nullable: true, description: 'How many requests it may let through (null: any number until it expires).' }) maxUses!: number | null;
  @Field(() => Int, { description: 'How many it let through so far.' }) uses!: number;
  @Field(() => DateTimeScalar) expiresAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it was granted.' }) reason!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => Boolean, { description: 'It can let a request through now: not expired, revoked or used up.' }) active!: boolean;
  /** Resolved by field resolvers. */
  agentId!: string;
  fromActionId!: string | null;
  grantedBy!: { kind: PrincipalKind; id: string | null; name: string };
  /** The granting approver when already known with the grant (null: none); absent: `grantedBy` loads them. */
  granter?: ApproverType | null;
}

export const GrantConnection = Connection(GrantType, 'GrantConnection');

/** The API's view of a stored grant. */
export function toGrantView(g: Grant, now = new Date()): GrantType {
  return Object.assign(new GrantType(), {
    id: g.id,
    agentId: g.agent.id,
    actionType: g.actionType,
    when: g.when,
    maxAmount: g.maxAmountValue === null || g.maxAmountCurrency === null ? null : { value: Number(g.maxAmountValue), currency: g.maxAmountCurrency },
    sameDestination: g.sameDestination,
    destination: g.sameDestination && g.destinationExternal !== null ? { system: g.destinationSystem, external: g.destinationExternal } : null,
    sameArguments: g.payloadHash !== null,
    payloadHash: g.payloadHash,
    maxUses: g.maxUses,
    uses: g.uses,
    expiresAt: g.expiresAt,
    revokedAt: g.revokedAt,
    reason: g.reason,
    createdAt: g.createdAt,
    active: isLive(g, now),
    fromActionId: g.fromAction?.id ?? null,
    grantedBy: {
      kind: g.grantedByKind as PrincipalKind,
      id: g.grantedByKind === PrincipalKind.APPROVER ? (g.grantedByApprover?.id ?? null) : g.grantedByAdminId,
      name: g.grantedByName,
    },
  } satisfies GrantType);
}

/**
 * The API's view of the grant a submission was just approved with, from what the
 * submission read and counted (grants/at-submission.ts): its answer needs no further read.
 */
export function toUsedGrantView({ grant: g, uses, granter }: UsedGrant, now: Date): GrantType {
  return Object.assign(new GrantType(), {
    id: g.id,
    agentId: g.agentId,
    actionType: g.actionType,
    when: g.when,
    maxAmount: g.maxAmount,
    sameDestination: g.sameDestination,
    destination: g.sameDestination && g.destination !== null ? g.destination : null,
    sameArguments: g.payloadHash !== null,
    payloadHash: g.payloadHash,
    maxUses: g.maxUses,
    uses,
    expiresAt: g.expiresAt,
    // The use was counted on the grant not revoked, in the submission's own transaction.
    revokedAt: null,
    reason: g.reason,
    createdAt: g.createdAt,
    active: isLive({ ...g, uses, revokedAt: null }, now),
    fromActionId: g.fromActionId,
    grantedBy: {
      kind: g.grantedByKind as PrincipalKind,
      id: g.grantedByKind === PrincipalKind.APPROVER ? g.grantedByApproverId : g.grantedByAdminId,
      name: g.grantedByName,
    },
    ...(granter === undefined ? {} : { granter: granter === null ? null : Object.assign(new ApproverType(), granter satisfies ApproverType) }),
  } satisfies GrantType);
}
