import { Entity, PrimaryKey, Property, ManyToOne, ArrayType, Index, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Approver } from '../principals/approver.entity.js';

/**
 * "While I am away, X decides for me": a time window, optionally scoped to roles or
 * action types. Followed transitively when requests are assigned (DESIGN §2 step 7).
 */
@Entity({ tableName: 'delegation' })
@Index({ properties: ['from', 'startsAt'] })
export class Delegation {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Approver)
  from!: Approver;

  @ManyToOne(() => Approver)
  to!: Approver;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  endsAt: Date | null = null;

  /** Applies only when the approver was brought in through one of these roles (null: any). */
  @Property({ type: ArrayType, nullable: true })
  roles: string[] | null = null;

  /** Applies only to these action types (exact, or a prefix pattern like `payments.*`). */
  @Property({ type: ArrayType, nullable: true })
  actionTypes: string[] | null = null;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** 'ADMIN:<id>' or 'APPROVER:<id>' of whoever created it. */
  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
