import { Entity, OneToOne, Property, type Opt } from '@mikro-orm/core';
import { Approver } from '../../principals/approver.entity.js';

/**
 * What an approver wants to be told, and how. No row means the defaults (everything on,
 * the server's digest hour): see preferences.ts.
 */
@Entity({ tableName: 'notification_preference' })
export class NotificationPreference {
  @OneToOne(() => Approver, { primary: true, owner: true, deleteRule: 'cascade' })
  approver!: Approver;

  @Property({ type: 'boolean' })
  emailAssigned: boolean & Opt = true;

  @Property({ type: 'boolean' })
  emailEscalated: boolean & Opt = true;

  @Property({ type: 'boolean' })
  emailAboutToExpire: boolean & Opt = true;

  @Property({ type: 'boolean' })
  emailDigest: boolean & Opt = true;

  /** The hour (UTC) of the daily digest; null: the server's (COUNTERSIGN_DIGEST_HOUR). */
  @Property({ type: 'smallint', nullable: true, fieldName: 'digest_hour' })
  digestHourUtc: number | null = null;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
