import { Migration } from '@mikro-orm/migrations';

/** Web app sign-in sessions (auth/session.entity.ts). */
export class Migration20261204230000_web_session extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "web_session" (
      "id" uuid not null,
      "secret_hash" text not null,
      "principal_kind" text not null,
      "principal_id" uuid null,
      "credential_hash" text not null,
      "created_at" timestamptz not null,
      "last_seen_at" timestamptz not null,
      "expires_at" timestamptz not null,
      "ended_at" timestamptz null,
      "end_reason" text null,
      constraint "web_session_pkey" primary key ("id"),
      constraint "web_session_kind" check ("principal_kind" in ('APPROVER', 'ADMIN'))
    );`);
    this.addSql(`alter table "web_session" add constraint "web_session_secret_hash_unique" unique ("secret_hash");`);
    this.addSql(`create index "web_session_principal_kind_principal_id_index" on "web_session" ("principal_kind", "principal_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "web_session" cascade;`);
  }

}
