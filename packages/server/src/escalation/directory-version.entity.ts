import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The approver directory's version: one row, raised by a statement trigger on `approver`
 * in the transaction of every change to it (migration Migration20261127010000_directory_version;
 * read by escalation/directory.ts). Declared here so that the ORM knows the table.
 */
@Entity({ tableName: 'directory_version' })
@Check({ name: 'directory_version_one_row', expression: '"id" = 1' })
export class DirectoryVersion {
  @PrimaryKey({ type: 'int', autoincrement: false })
  id!: number;

  @Property({ type: 'bigint' })
  version!: string;
}
