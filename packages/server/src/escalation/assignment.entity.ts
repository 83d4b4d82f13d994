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
 * What an assignment says, stored one person per row ({@link Assignment}) or one approver
 * set per row ({@link GroupAssignment}): which request, how (the role that reached them,
 * or null when named directly), for what (approval or review) at which level, until when,
 * and whether it still stands.
 */
@Entity({ abstract: true })
export abstract class AssignmentTerms {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => ActionRequest, { deleteRule: 'cascade' })
  action!: ActionRequest;

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

/**
 * A set of approvers stored once and named by its content: `id` is derived from the sorted
 * member ids (escalation/approver-sets.ts), so the same people always make the same row
 * and a row never changes. A level that reaches many people the same way (say the 1,000
 * holders of a role, none delegated away) stores the set once and refers to it from each
 * request assigned to it ({@link GroupAssignment}), instead of one row per person per
 * request. Its members are recorded in the audit chain once, when the set is first stored
 * (APPROVER_SET_RECORDED).
 */
@Entity({ tableName: 'approver_set' })
@Index({ name: 'approver_set_members_idx', expression: 'create index "approver_set_members_idx" on "approver_set" using gin ("member_ids")' })
export class ApproverSet {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid[]' })
  memberIds!: string[];

  @Property({ type: 'int' })
  size!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/**
 * The assignment of a request to every member of an approver set at once, each exactly as
 * an {@link Assignment} row would assign them (same kind, level, role, deadline, active):
 * who was assigned is fixed when it is written, like the rows it stands for. A member whose
 * own part ends before the rest (they voted towards a quorum, or a delegation moved their
 * part to someone else) gets an inactive `assignment` row pointing here (`group_id`),
 * which both records that end and takes them out of the set for this request. The view
 * `assignment_entry` reads both tables as one list of assignments.
 */
@Entity({ tableName: 'group_assignment' })
@Index({
  name: 'group_assignment_queue_idx',
  expression: 'create index "group_assignment_queue_idx" on "group_assignment" ("set_id", "kind", "deadline") where "active"',
})
@Index({ properties: ['action', 'active'] })
export class GroupAssignment extends AssignmentTerms {
  @ManyToOne(() => ApproverSet)
  set!: ApproverSet;
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
@Index({
  name: 'assignment_group_idx',
  expression: 'create index "assignment_group_idx" on "assignment" ("group_id", "approver_id") where "group_id" is not null',
})
export class Assignment extends AssignmentTerms {
  /** The person who may act (after delegation). */
  @ManyToOne(() => Approver)
  approver!: Approver;

  /**
   * Set only on the row that ends one member's part of a {@link GroupAssignment} before the
   * rest (always inactive): it takes that member out of the group for this request.
   */
  @ManyToOne(() => GroupAssignment, { nullable: true, deleteRule: 'cascade' })
  group: GroupAssignment | null = null;

  /** The person the chain named, when a delegate stands in for them. */
  @ManyToOne(() => Approver, { nullable: true })
  onBehalfOf: Approver | null = null;
}
