import { Migration } from '@mikro-orm/migrations';

/**
 * Group assignments (BENCHMARKS.md, queue push): a level that reaches many approvers the
 * same way stores who they are once, as a content-addressed `approver_set`, and assigns a
 * request to the whole set with one `group_assignment` row instead of one `assignment` row
 * per person. Who is assigned stays fixed when it is written, as before.
 *
 * `assignment_entry` is every assignment as one list, whichever way it is stored: the
 * `assignment` rows (a member's own end of a group assignment is such a row, inactive),
 * then each group assignment expanded to its set's members, less the members whose part
 * ended on its own (`assignment.group_id`). An expanded entry has the group's id as `id`
 * and in `group_id`; a stored row has `group_id` null here. Readers filter it by request
 * (`action_id`), which PostgreSQL pushes into both branches.
 *
 * Nothing existing is rewritten: the rows written before stay rows.
 */
export class Migration20261127000000_group_assignment extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "approver_set" ("id" uuid not null, "member_ids" uuid[] not null, "size" int not null, "created_at" timestamptz not null, constraint "approver_set_pkey" primary key ("id"));`);
    this.addSql(`create index "approver_set_members_idx" on "approver_set" using gin ("member_ids");`);
    this.addSql(`create table "group_assignment" ("id" uuid not null, "action_id" uuid not null, "set_id" uuid not null, "via_role" text null, "kind" text check ("kind" in ('APPROVAL', 'REVIEW')) not null, "level" smallint not null, "active" boolean not null default true, "deadline" timestamptz null, "created_at" timestamptz not null, "ended_at" timestamptz null, constraint "group_assignment_pkey" primary key ("id"));`);
    this.addSql(`create index "group_assignment_queue_idx" on "group_assignment" ("set_id", "kind", "deadline") where "active";`);
    this.addSql(`create index "group_assignment_action_id_active_index" on "group_assignment" ("action_id", "active");`);
    this.addSql(`alter table "group_assignment" add constraint "group_assignment_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_assignment" add constraint "group_assignment_set_id_foreign" foreign key ("set_id") references "approver_set" ("id") on update cascade;`);
    this.addSql(`alter table "assignment" add column "group_id" uuid null;`);
    this.addSql(`alter table "assignment" add constraint "assignment_group_id_foreign" foreign key ("group_id") references "group_assignment" ("id") on update cascade on delete cascade;`);
    this.addSql(`create index "assignment_group_idx" on "assignment" ("group_id", "approver_id") where "group_id" is not null;`);
    this.addSql(`create view "assignment_entry" as
      select x."id", x."action_id", x."approver_id", x."on_behalf_of_id", x."via_role", x."kind", x."level", x."active", x."deadline", x."created_at", x."ended_at", null::uuid as "group_id"
        from "assignment" x
      union all
      select g."id", g."action_id", m."approver_id", null::uuid, g."via_role", g."kind", g."level", g."active", g."deadline", g."created_at", g."ended_at", g."id"
        from "group_assignment" g
        join "approver_set" s on s."id" = g."set_id"
        cross join lateral unnest(s."member_ids") as m("approver_id")
       where not exists (select 1 from "assignment" k where k."group_id" = g."id" and k."approver_id" = m."approver_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists "assignment_entry";`);
    this.addSql(`alter table "assignment" drop constraint "assignment_group_id_foreign";`);
    this.addSql(`drop index "assignment_group_idx";`);
    this.addSql(`alter table "assignment" drop column "group_id";`);
    this.addSql(`drop table if exists "group_assignment" cascade;`);
    this.addSql(`drop table if exists "approver_set" cascade;`);
  }

}
