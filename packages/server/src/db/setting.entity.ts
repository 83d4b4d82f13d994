import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/** Server-wide values every instance must share (e.g. the token-hashing key). */
@Entity({ tableName: 'server_setting' })
export class ServerSetting {
  @PrimaryKey({ type: 'text' })
  name!: string;

  @Property({ type: 'text', hidden: true })
  value!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}
