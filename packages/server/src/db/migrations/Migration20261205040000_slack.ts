import { Migration } from '@mikro-orm/migrations';

/** Slack interactive approvals (notifications/slack/): approvers' Slack ids, the Slack outbox and the messages posted. */
export class Migration20261205040000_slack extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "approver" add column "slack_user_id" text null;`);
    this.addSql(`alter table "approver" add constraint "approver_slack_user_id_unique" unique ("slack_user_id");`);

    this.addSql(`create table "slack_delivery" (
      "id" uuid not null,
      "event" text not null,
      "action_id" uuid not null,
      "approver_id" uuid null,
      "detail" jsonb not null,
      "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING',
      "attempts" smallint not null default 0,
      "next_attempt_at" timestamptz not null,
      "last_error" text null,
      "delivered_at" timestamptz null,
      "created_at" timestamptz not null,
      constraint "slack_delivery_pkey" primary key ("id")
    );`);
    this.addSql(`alter table "slack_delivery" add constraint "slack_delivery_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;`);
    this.addSql(`create index "slack_delivery_due_idx" on "slack_delivery" ("status", "next_attempt_at");`);
    this.addSql(`create index "slack_delivery_action_idx" on "slack_delivery" ("action_id");`);

    this.addSql(`create table "slack_message" (
      "id" uuid not null,
      "action_id" uuid not null,
      "approver_id" uuid not null,
      "delivery_id" uuid not null,
      "channel" text not null,
      "ts" text not null,
      "created_at" timestamptz not null,
      constraint "slack_message_pkey" primary key ("id")
    );`);
    this.addSql(`alter table "slack_message" add constraint "slack_message_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "slack_message" add constraint "slack_message_delivery_unique" unique ("delivery_id");`);
    this.addSql(`create index "slack_message_action_idx" on "slack_message" ("action_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "slack_message" cascade;`);
    this.addSql(`drop table if exists "slack_delivery" cascade;`);
    this.addSql(`alter table "approver" drop constraint if exists "approver_slack_user_id_unique";`);
    this.addSql(`alter table "approver" drop column if exists "slack_user_id";`);
  }

}
