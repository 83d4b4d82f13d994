import { Entity, PrimaryKey, Property, ManyToOne, Enum, Index, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ActionRequest } from '../actions/action-request.entity.js';

export enum TimerKind {
  /** The current escalation level's timeout: escalate, or expire after the last level. */
  ESCALATE = 'ESCALATE',
  /** A warning before the level's deadline (notifications). */
  ABOUT_TO_EXPIRE = 'ABOUT_TO_EXPIRE',
  /** A delegation window opens or closes: re-resolve assignees of pending requests. */
  DELEGATION = 'DELEGATION',
}

/**
 * A due moment stored as a row, so that whichever instance is alive fires it: instances
 * claim due rows with `FOR UPDATE SKIP LOCKED` and delete them in the transaction that acts
 * on them, so each fires exactly once. `level`/`round` guard against acting on a timer that
 * a decision or an earlier escalation made stale.
 */
@Entity({ tableName: 'timer' })
@Index({ name: 'timer_due_idx', properties: ['dueAt'] })
@Index({ properties: ['action'] })
export class Timer {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Enum({ items: () => TimerKind })
  kind!: TimerKind;

  @ManyToOne(() => ActionRequest, { nullable: true, deleteRule: 'cascade' })
  action: ActionRequest | null = null;

  /** For DELEGATION timers: the delegation whose window opens or closes. */
  @Property({ type: 'uuid', nullable: true })
  delegationId: string | null = null;

  @Property({ type: 'smallint', nullable: true })
  level: number | null = null;

  @Property({ type: 'smallint', nullable: true })
  round: number | null = null;

  @Property({ type: 'timestamptz' })
  dueAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
