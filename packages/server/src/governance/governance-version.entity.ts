import { Entity, PrimaryKey, Property, JsonType, type Opt } from '@mikro-orm/core';

/** One applied governance document. Versions are numbered 1, 2, 3... and never change. */
@Entity({ tableName: 'governance_version' })
export class GovernanceVersion {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  version!: number;

  /** The document exactly as the admin wrote it (YAML or JSON). */
  @Property({ type: 'text' })
  source!: string;

  /** The validated, normalised document (durations in seconds, defaults filled in). */
  @Property({ type: JsonType })
  document!: unknown;

  @Property({ type: JsonType })
  changes!: unknown;

  @Property({ type: JsonType })
  warnings!: string[];

  /** 'ADMIN:<id>' of whoever applied it. */
  @Property({ type: 'text' })
  appliedBy!: string;

  @Property({ type: 'timestamptz' })
  appliedAt: Date & Opt = new Date();
}
