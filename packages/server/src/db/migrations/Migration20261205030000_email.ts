import { Migration } from '@mikro-orm/migrations';

/**
 * Email to approvers (notifications/email/): the outbox carries deliveries of more than one
 * channel (a personal one names its approver instead of an endpoint), approvers keep their
 * notification preferences, and each day's review digest is claimed once per approver.
 * The outbox changes are written to be idempotent (`if not exists`), so that another
 * channel's migration making the same ones does not collide with this one.
 */
export class Migration20261205030000_email extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notification_delivery" add column if not exists "channel" text not null default 'WEBHOOK';`);
    this.addSql(`alter table "notification_delivery" add column if not exists "approver_id" uuid null;`);
    this.addSql(`alter table "notification_delivery" alter column "endpoint_id" drop not null;`);
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_constraint where conname = 'notification_delivery_approver_id_foreign') then
        alter table "notification_delivery" add constraint "notification_delivery_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;
      end if;
    end $$;`);
    // Each channel's worker claims its own due deliveries.
    this.addSql(`create index if not exists "notification_delivery_channel_due_idx" on "notification_delivery" ("channel", "status", "next_attempt_at");`);
    this.addSql(`create index if not exists "notification_delivery_approver_idx" on "notification_delivery" ("approver_id", "created_at", "id");`);

    this.addSql(`create table "notification_preference" (
      "approver_id" uuid not null,
      "email_assigned" boolean not null default true,
      "email_escalated" boolean not null default true,
      "email_about_to_expire" boolean not null default true,
      "email_digest" boolean not null default true,
      "digest_hour" smallint null,
      "updated_at" timestamptz not null,
      constraint "notification_preference_pkey" primary key ("approver_id"),
      constraint "notification_preference_digest_hour" check ("digest_hour" between 0 and 23)
    );`);
    this.addSql(`alter table "notification_preference" add constraint "notification_preference_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "email_digest" (
      "approver_id" uuid not null,
      "day" date not null,
      "delivery_id" uuid null,
      "created_at" timestamptz not null,
      constraint "email_digest_pkey" primary key ("approver_id", "day")
    );`);
    this.addSql(`alter table "email_digest" add constraint "email_digest_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;`);

    // Which channels some instance can send right now (a lease each such instance renews).
    this.addSql(`create table if not exists "notification_channel" (
      "name" text not null,
      "live_until" timestamptz not null,
      constraint "notification_channel_pkey" primary key ("name")
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification_channel";`);
    this.addSql(`drop table if exists "email_digest";`);
    this.addSql(`drop table if exists "notification_preference";`);
    this.addSql(`delete from "notification_delivery" where "channel" <> 'WEBHOOK';`);
    this.addSql(`drop index if exists "notification_delivery_approver_idx";`);
    this.addSql(`drop index if exists "notification_delivery_channel_due_idx";`);
    this.addSql(`alter table "notification_delivery" drop column if exists "approver_id";`);
    this.addSql(`alter table "notification_delivery" alter column "endpoint_id" set not null;`);
    this.addSql(`alter table "notification_delivery" drop column if exists "channel";`);
  }

}
