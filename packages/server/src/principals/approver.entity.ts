import { Entity, PrimaryKey, Property, Unique, ArrayType, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A human who approves or reviews actions. Roles route work to them (DESIGN §3). */
@Entity({ tableName: 'approver' })
export class Approver {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Unique()
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  /** Their Slack member id (`U…`/`W…`): interactive approvals reach them by direct message (notifications/slack/). */
  @Unique({ name: 'approver_slack_user_id_unique' })
  @Property({ type: 'text', nullable: true })
  slackUserId: string | null = null;

  @Property({ type: ArrayType })
  roles: string[] & Opt = [];

  /** Inactive approvers are never assigned and cannot authenticate. */
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  /** Keyed hash of the approver's token; the token itself is shown once and never stored. */
  @Unique()
  @Property({ type: 'text', hidden: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
