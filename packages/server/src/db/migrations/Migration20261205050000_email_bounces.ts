import { Migration } from '@mikro-orm/migrations';

/**
 * Bounces read back from the bounce mailbox (notifications/email/bounces/): each report
 * kept once, against the mail it is about, and the time a delivered mail bounced.
 */
export class Migration20261205050000_email_bounces extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notification_delivery" add column "bounced_at" timestamptz null;`);
    this.addSql(`create table "email_bounce" (
      "report_key" text not null,
      "delivery_id" uuid not null,
      "kind" text not null,
      "status" text null,
      "diagnostic" text null,
      "recipient" text null,
      "received_at" timestamptz not null,
      constraint "email_bounce_pkey" primary key ("report_key")
    );`);
    this.addSql(`alter table "email_bounce" add constraint "email_bounce_delivery_id_foreign" foreign key ("delivery_id") references "notification_delivery" ("id") on update cascade on delete cascade;`);
    this.addSql(`create index "email_bounce_delivery_idx" on "email_bounce" ("delivery_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_bounce";`);
    this.addSql(`alter table "notification_delivery" drop column if exists "bounced_at";`);
  }

}
