import { Entity, PrimaryKey, Property, Unique, ArrayType, ManyToOne, Enum, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { AgentStatus } from '../shared/enums.js';
import { Approver } from './approver.entity.js';

/** An AI agent that asks before it acts. Its API key is shown once and stored hashed. */
@Entity({ tableName: 'agent' })
export class Agent {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Unique()
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: ArrayType })
  tags: string[] & Opt = [];

  /** The approver responsible for this agent; separation of duties bars them from approving it. */
  @ManyToOne(() => Approver, { nullable: true, deleteRule: 'set null' })
  owner: Approver | null = null;

  @Enum({ items: () => AgentStatus })
  status: AgentStatus & Opt = AgentStatus.ACTIVE;

  @Property({ type: 'text', nullable: true })
  suspendedReason: string | null = null;

  @Unique()
  @Property({ type: 'text', hidden: true })
  apiKeyHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
