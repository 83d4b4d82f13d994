import { Entity, PrimaryKey, Property, ManyToOne, Enum, Index, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Approver } from '../principals/approver.entity.js';

export enum AssignmentKind {
  /** A PENDING request waiting for this approver's decision. */
  APPROVAL = 'APPROVAL',
  /** An ASYNC_REVIEW request waiting for this approver's acknowledgement or flag. */
  REVIEW = 'REVIEW',
}

/**
 * Who is asked to act on a request right now (active) or was asked before (inactive:
 * escalated away, delegated away, or the request ended). The queue of an approver is the
 * active assignments of one kind, ordered by the request's deadline; `deadline` is copied
 * here so that the queue is one index scan.
 */
@Entity({ tableName: 'assignment' })
@Index({
  name: 'assignment_queue_idx',
  expression: 'create index "assignment_queue_idx" on "assignment" ("approver_id", "kind", "deadline") where "active"',
})
@Index({ properties: ['action', 'active'] })
export class Assignment {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => ActionRequest, { deleteRule: 'cascade' })
  action!: ActionRequest;

  /** The person who may act (after delegation). */
  @ManyToOne(() => Approver)
  approver!: Approver;

  /** The person the chain named, when a delegate stands in for them. */
  @ManyToOne(() => Approver, { nullable: true })
  onBehalfOf: Approver | null = null;

  /** The role through which the chain reached them (null when named directly). */
  @Property({ type: 'text', nullable: true })
  viaRole: string | null = null;

  @Enum({ items: () => AssignmentKind })
  kind!: AssignmentKind;

  @Property({ type: 'smallint' })
  level!: number;

  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Property({ type: 'timestamptz', nullable: true })
  deadline: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  endedAt: Date | null = null;
}
