import { Entity, PrimaryKey, Property, ManyToOne, Index, DecimalType, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { ActionRequest } from '../actions/action-request.entity.js';

/**
 * A standing approval (DESIGN §12): later SYNC_APPROVAL requests of one agent, of one
 * action type (exact, or a `prefix.*`), within a scope (a CEL condition, an amount
 * ceiling in one currency, a destination, the very arguments) are approved at once while
 * it lasts — until `expiresAt`, `maxUses` uses, or its revocation. The scope never
 * changes after creation, so a submission can match it before its transaction and only
 * count the use (atomically) inside.
 */
@Entity({ tableName: 'standing_grant' })
// Candidates of a submission: an agent's grants that are not revoked, by expiry.
@Index({ name: 'standing_grant_live_idx', expression: 'create index "standing_grant_live_idx" on "standing_grant" ("agent_id", "expires_at") where "revoked_at" is null' })
@Index({ properties: ['grantedByApprover', 'createdAt'] })
@Index({ properties: ['createdAt'] })
export class Grant {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Agent, { deleteRule: 'cascade' })
  agent!: Agent;

  /** Exact (`payments.transfer`) or a prefix pattern (`payments.*`). */
  @Property({ type: 'text' })
  actionType!: string;

  /** A CEL condition over `action` (and `agent`) that must hold; null: none. */
  @Property({ type: 'text', nullable: true })
  when: string | null = null;

  /** The ceiling (inclusive) of `action.amount.value`, in {@link maxAmountCurrency} only. */
  @Property({ type: new DecimalType('number'), precision: 20, scale: 4, nullable: true })
  maxAmountValue: number | null = null;

  @Property({ type: 'text', nullable: true })
  maxAmountCurrency: string | null = null;

  /** Whether the destination is part of the scope: then it must be exactly the one below (none for none). */
  @Property({ type: 'boolean', default: false })
  sameDestination: boolean & Opt = false;

  @Property({ type: 'text', nullable: true })
  destinationSystem: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  destinationExternal: boolean | null = null;

  /** With `sameArguments`: the payload hash (receipts' `pld`) a request must carry. */
  @Property({ type: 'text', nullable: true })
  payloadHash: string | null = null;

  /** Null: any number until it expires. */
  @Property({ type: 'integer', nullable: true })
  maxUses: number | null = null;

  /** Counted in the submission's transaction (`uses < max_uses` in the same statement). */
  @Property({ type: 'integer', default: 0 })
  uses: number & Opt = 0;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** 'ADMIN:<id>' or 'APPROVER:<id>' of whoever revoked it. */
  @Property({ type: 'text', nullable: true })
  revokedBy: string | null = null;

  /** APPROVER or ADMIN. */
  @Property({ type: 'text' })
  grantedByKind!: string;

  /** The approver who granted it (its uses go to their review queue); null when an admin did. */
  @ManyToOne(() => Approver, { nullable: true, deleteRule: 'set null' })
  grantedByApprover: Approver | null = null;

  /** The admin token that granted it (null for the bootstrap token or an approver). */
  @Property({ type: 'uuid', nullable: true })
  grantedByAdminId: string | null = null;

  @Property({ type: 'text' })
  grantedByName!: string;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** The request whose approval granted it (`decide` with `grant`); null for createGrant. */
  @ManyToOne(() => ActionRequest, { nullable: true, deleteRule: 'set null' })
  fromAction: ActionRequest | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/** One request a grant let through: written with the request, in its transaction. */
@Entity({ tableName: 'grant_use' })
@Index({ properties: ['grant', 'at'] })
export class GrantUse {
  /** The request (one grant at most lets a request through). */
  @ManyToOne(() => ActionRequest, { primary: true, deleteRule: 'cascade' })
  action!: ActionRequest;

  @ManyToOne(() => Grant, { deleteRule: 'cascade' })
  grant!: Grant;

  @Property({ type: 'timestamptz' })
  at!: Date;
}
