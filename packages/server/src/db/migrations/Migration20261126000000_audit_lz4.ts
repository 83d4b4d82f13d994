import { Migration } from '@mikro-orm/migrations';

/**
 * Compresses the large values of `audit_event` (its `canonical` text and `data`) with lz4
 * instead of PostgreSQL's default pglz. An event that names the holders of a large role
 * (ACTION_ASSIGNED to 1,000 approvers: ~95 KB of canonical JSON, and its `data` again)
 * is compressed while the audit head is locked; pglz spent ~2.4 ms of the append on it,
 * lz4 a few tenths, for the same stored size (BENCHMARKS.md). Nothing is dropped: the
 * values, the chain and the CHECK constraint are unchanged, and values already stored
 * stay as they are (PostgreSQL reads either).
 *
 * A PostgreSQL built without lz4 (PGlite, the embedded mode) keeps pglz.
 */
export class Migration20261126000000_audit_lz4 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`do $$ begin
      alter table "audit_event" alter column "canonical" set compression lz4, alter column "data" set compression lz4;
    exception when feature_not_supported then
      raise notice 'lz4 is not available in this PostgreSQL build: audit_event keeps pglz';
    end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_event" alter column "canonical" set compression default, alter column "data" set compression default;`);
  }

}
