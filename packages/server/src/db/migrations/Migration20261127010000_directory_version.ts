import { Migration } from '@mikro-orm/migrations';

/**
 * A version of the approver directory, raised in the same transaction as any change to
 * the `approver` table (a statement trigger), so that an instance can keep the directory
 * it read and use it again for as long as the version it reads with a transaction's other
 * facts is the same (escalation/directory.ts): a submission routed to a role of 1,000 no
 * longer reads 1,000 approvers each time.
 */
export class Migration20261127010000_directory_version extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "directory_version" ("id" int not null, "version" bigint not null, constraint "directory_version_pkey" primary key ("id"), constraint "directory_version_one_row" check ("id" = 1));`);
    this.addSql(`insert into "directory_version" ("id", "version") values (1, 1);`);
    this.addSql(`create function "raise_directory_version"() returns trigger language plpgsql as $$
      begin
        update "directory_version" set "version" = "version" + 1 where "id" = 1;
        return null;
      end $$;`);
    this.addSql(`create trigger "approver_directory_version" after insert or update or delete or truncate on "approver"
      for each statement execute function "raise_directory_version"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "approver_directory_version" on "approver";`);
    this.addSql(`drop function if exists "raise_directory_version"();`);
    this.addSql(`drop table if exists "directory_version";`);
  }

}
