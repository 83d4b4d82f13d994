import { Entity, PrimaryKey, Property, ManyToOne, Enum, JsonType, Unique, Index, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Verdict } from '../shared/enums.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Approver } from '../principals/approver.entity.js';

/**
 * One approver's verdict on one request. Unique per (request, approver, candidate): one
 * person, one vote on each candidate payload, whatever roles or delegations brought them in
 * (decisions/quorum.ts).
 */
@Entity({ tableName: 'decision' })
@Unique({ properties: ['action', 'approver', 'candidate'] })
@Index({ properties: ['approver', 'at'] })
export class Decision {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => ActionRequest, { deleteRule: 'cascade' })
  action!: ActionRequest;

  /** Who decided. */
  @ManyToOne(() => Approver)
  approver!: Approver;

  /** Whose assignment they decided on, when they decided as a delegate. */
  @ManyToOne(() => Approver, { nullable: true })
  onBehalfOf: Approver | null = null;

  @Enum({ items: () => Verdict })
  verdict!: Verdict;

  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  /** APPROVE: the arguments the approver approved instead; REQUEST_CHANGES: a suggestion. */
  @Property({ type: JsonType, nullable: true })
  modifiedPayload: unknown = null;

  /** The candidate payload the vote was cast on: 0 the submitted one, n the n-th modification. */
  @Property({ type: 'smallint' })
  candidate: number & Opt = 0;

  @Property({ type: 'smallint', nullable: true })
  escalationLevel: number | null = null;

  @Property({ type: 'timestamptz' })
  at: Date & Opt = new Date();
}
