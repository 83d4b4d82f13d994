import { Migration } from '@mikro-orm/migrations';

/**
 * Standing approvals (DESIGN §12): `standing_grant` holds each grant's scope and life
 * ("grant" is an SQL keyword), `grant_use` the requests each one let through, written in
 * the submission's own transaction.
 */
export class Migration20261205010000_grants extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "standing_grant" ("id" uuid not null, "agent_id" uuid not null, "action_type" text not null, "when" text null, "max_amount_value" numeric(20,4) null, "max_amount_currency" text null, "same_destination" boolean not null default false, "destination_system" text null, "destination_external" boolean null, "payload_hash" text null, "max_uses" int null, "uses" int not null default 0, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_by" text null, "granted_by_kind" text not null, "granted_by_approver_id" uuid null, "granted_by_admin_id" uuid null, "granted_by_name" text not null, "reason" text null, "from_action_id" uuid null, "created_at" timestamptz not null, constraint "standing_grant_pkey" primary key ("id"));`);
    this.addSql(`create index "standing_grant_live_idx" on "standing_grant" ("agent_id", "expires_at") where "revoked_at" is null;`);
    this.addSql(`create index "standing_grant_granted_by_approver_id_created_at_index" on "standing_grant" ("granted_by_approver_id", "created_at");`);
    this.addSql(`create index "standing_grant_created_at_index" on "standing_grant" ("created_at");`);
    this.addSql(`alter table "standing_grant" add constraint "standing_grant_agent_id_foreign" foreign key ("agent_id") references "agent" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "standing_grant" add constraint "standing_grant_granted_by_approver_id_foreign" foreign key ("granted_by_approver_id") references "approver" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "standing_grant" add constraint "standing_grant_from_action_id_foreign" foreign key ("from_action_id") references "action_request" ("id") on update cascade on delete set null;`);

    this.addSql(`create table "grant_use" ("action_id" uuid not null, "grant_id" uuid not null, "at" timestamptz not null, constraint "grant_use_pkey" primary key ("action_id"));`);
    this.addSql(`create index "grant_use_grant_id_at_index" on "grant_use" ("grant_id", "at");`);
    this.addSql(`alter table "grant_use" add constraint "grant_use_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "grant_use" add constraint "grant_use_grant_id_foreign" foreign key ("grant_id") references "standing_grant" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "grant_use" cascade;`);
    this.addSql(`drop table if exists "standing_grant" cascade;`);
  }

}
