import { Migration } from '@mikro-orm/migrations';

/**
 * Break-glass (DESIGN §12): the requests on which an agent asked for it, with its
 * justification (break-glass/break-glass.entity.ts); the uses per agent and UTC day, one
 * counter row each, raised by one upsert only while under the policy's limit
 * (break-glass/submission.ts); and which webhook endpoints an admin registered, since the
 * BREAK_GLASS event goes to every one of them. Endpoints registered before this migration
 * are marked from their WEBHOOK_CREATED audit events.
 */
export class Migration20261205020000_break_glass extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "break_glass_request" (
      "action_id" uuid not null,
      "justification" text not null,
      "used" boolean not null,
      "review_overdue_at" timestamptz null,
      "created_at" timestamptz not null,
      constraint "break_glass_request_pkey" primary key ("action_id")
    );`);
    this.addSql(`alter table "break_glass_request" add constraint "break_glass_request_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "break_glass_day" (
      "agent_id" uuid not null,
      "day" date not null,
      "uses" int not null,
      constraint "break_glass_day_pkey" primary key ("agent_id", "day")
    );`);
    this.addSql(`alter table "break_glass_day" add constraint "break_glass_day_agent_id_foreign" foreign key ("agent_id") references "agent" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_endpoint" add column "created_by_admin" boolean not null default false;`);
    this.addSql(`update "webhook_endpoint" w set "created_by_admin" = true
      where exists (select 1 from "audit_event" e where e."kind" = 'WEBHOOK_CREATED' and e."subject_id" = w."id"::text and e."actor_type" = 'ADMIN');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_endpoint" drop column "created_by_admin";`);
    this.addSql(`drop table if exists "break_glass_day" cascade;`);
    this.addSql(`drop table if exists "break_glass_request" cascade;`);
  }

}
