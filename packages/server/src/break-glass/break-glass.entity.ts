import { Entity, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { ActionRequest } from '../actions/action-request.entity.js';

/**
 * A request on which its agent asked for break-glass (DESIGN §12), with the agent's
 * justification, whether break-glass opened it, and since when its mandatory review is
 * overdue (its chain ran out with nobody acknowledging or flagging it).
 *
 * The uses an agent has left today are counted in `break_glass_day` (agent, UTC day, uses),
 * written only by statements (break-glass/submission.ts): a counter row that one upsert
 * raises only while under the limit holds the limit under any concurrency.
 */
@Entity({ tableName: 'break_glass_request' })
export class BreakGlassRequest {
  @ManyToOne(() => ActionRequest, { primary: true, deleteRule: 'cascade' })
  action!: ActionRequest;

  @Property({ type: 'text' })
  justification!: string;

  /** True when break-glass approved the request; false when it was refused or not needed. */
  @Property({ type: 'boolean' })
  used!: boolean;

  @Property({ type: 'timestamptz', nullable: true })
  reviewOverdueAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
