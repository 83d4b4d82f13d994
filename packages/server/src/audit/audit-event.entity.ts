import { Entity, PrimaryKey, Property, Index, JsonType } from '@mikro-orm/core';

/**
 * One link of the tamper-evident audit chain: `hash = sha256(prevHash ‖ canonical)`.
 * `seq` is assigned under the chain-head lock (see audit.service.ts), strictly 1, 2, 3...
 */
@Entity({ tableName: 'audit_event' })
@Index({ properties: ['subjectId', 'seq'] })
@Index({ properties: ['kind', 'seq'] })
@Index({ properties: ['at'] })
export class AuditEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: false })
  seq!: number;

  @Property({ type: 'timestamptz' })
  at!: Date;

  /** e.g. ACTION_SUBMITTED, ACTION_DECIDED, ESCALATED, GOVERNANCE_APPLIED, AGENT_CREATED. */
  @Property({ type: 'text' })
  kind!: string;

  /** What the event is about: ACTION, AGENT, APPROVER, GOVERNANCE, DELEGATION... */
  @Property({ type: 'text' })
  subjectType!: string;

  @Property({ type: 'text', nullable: true })
  subjectId: string | null = null;

  /** Who caused it: AGENT, APPROVER, ADMIN or SYSTEM. */
  @Property({ type: 'text' })
  actorType!: string;

  @Property({ type: 'text', nullable: true })
  actorId: string | null = null;

  @Property({ type: JsonType, nullable: true })
  data: unknown = null;

  /**
   * The event's RFC 8785 JSON, exactly the text its `hash` covers. The columns above are
   * its projections, held equal to it by a CHECK constraint (audit.service.ts).
   */
  @Property({ type: 'text' })
  canonical!: string;

  @Property({ type: 'text' })
  prevHash!: string;

  @Property({ type: 'text' })
  hash!: string;
}

/**
 * The head of the chain: one row, locked by every appender for the few microseconds that
 * it takes to assign the next `seq` and hash, in the same transaction as the change.
 */
@Entity({ tableName: 'audit_head' })
export class AuditHead {
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  id!: number;

  @Property({ type: 'bigint' })
  seq!: number;

  @Property({ type: 'text' })
  hash!: string;
}
