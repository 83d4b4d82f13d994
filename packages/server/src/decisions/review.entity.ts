import { Entity, PrimaryKey, Property, ManyToOne, Enum, Index, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ReviewVerdict } from '../shared/enums.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Approver } from '../principals/approver.entity.js';

/** An after-the-fact review of an ASYNC_REVIEW request: acknowledged, or flagged. */
@Entity({ tableName: 'review' })
@Index({ properties: ['action'] })
@Index({ name: 'review_flag_at_idx', expression: 'create index "review_flag_at_idx" on "review" ("at") where "verdict" = \'FLAG\'' })
export class Review {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => ActionRequest, { deleteRule: 'cascade' })
  action!: ActionRequest;

  @ManyToOne(() => Approver)
  approver!: Approver;

  @ManyToOne(() => Approver, { nullable: true })
  onBehalfOf: Approver | null = null;

  @Enum({ items: () => ReviewVerdict })
  verdict!: ReviewVerdict;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  @Property({ type: 'timestamptz' })
  at: Date & Opt = new Date();
}
