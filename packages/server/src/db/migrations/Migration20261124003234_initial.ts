import { Migration } from '@mikro-orm/migrations';

export class Migration20261124003234_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "admin_token" ("id" uuid not null, "name" text not null, "token_hash" text not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "admin_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "admin_token" add constraint "admin_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "approver" ("id" uuid not null, "name" text not null, "email" text null, "roles" text[] not null, "active" boolean not null default true, "token_hash" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "approver_pkey" primary key ("id"));`);
    this.addSql(`alter table "approver" add constraint "approver_name_unique" unique ("name");`);
    this.addSql(`alter table "approver" add constraint "approver_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "agent" ("id" uuid not null, "name" text not null, "description" text null, "tags" text[] not null, "owner_id" uuid null, "status" text check ("status" in ('ACTIVE', 'SUSPENDED')) not null default 'ACTIVE', "suspended_reason" text null, "api_key_hash" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "agent_pkey" primary key ("id"));`);
    this.addSql(`alter table "agent" add constraint "agent_name_unique" unique ("name");`);
    this.addSql(`alter table "agent" add constraint "agent_api_key_hash_unique" unique ("api_key_hash");`);

    this.addSql(`create table "action_request" ("id" uuid not null, "agent_id" uuid not null, "type" text not null, "operation" text check ("operation" in ('READ', 'WRITE', 'DELETE', 'EXECUTE')) not null, "summary" text not null, "justification" text null, "expected_outcome" text null, "resource" text null, "data_classification" text check ("data_classification" in ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED')) null, "data_categories" text[] not null, "record_count" int null, "destination_system" text null, "destination_external" boolean null, "amount_value" numeric(20,4) null, "amount_currency" text null, "payload" jsonb null, "context" jsonb null, "idempotency_key" text null, "revision_of_id" uuid null, "risk_score" smallint not null, "risk_level" text check ("risk_level" in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')) not null, "risk_factors" jsonb not null, "behaviour" jsonb null, "mode" text check ("mode" in ('AUTO', 'ASYNC_REVIEW', 'SYNC_APPROVAL', 'BLOCK')) not null, "policy" text null, "consequences" jsonb null, "notes" jsonb not null, "governance_version" int null, "required_approvals" smallint not null default 1, "status" text check ("status" in ('PENDING', 'APPROVED', 'DENIED', 'CHANGES_REQUESTED', 'EXPIRED', 'CANCELLED')) not null, "status_reason" text null, "review_status" text check ("review_status" in ('UNREVIEWED', 'ACKNOWLEDGED', 'FLAGGED')) null, "route" text null, "chain" text null, "chain_snapshot" jsonb null, "escalation_level" smallint null, "escalation_round" smallint not null default 0, "deadline" timestamptz null, "approved_payload" jsonb null, "receipt" text null, "decided_at" timestamptz null, "outcome_status" text check ("outcome_status" in ('SUCCEEDED', 'FAILED')) null, "outcome_detail" text null, "outcome_result" jsonb null, "outcome_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "action_request_pkey" primary key ("id"));`);
    this.addSql(`create unique index "action_request_agent_idempotency_key_uq" on "action_request" ("agent_id", "idempotency_key") where "idempotency_key" is not null;`);
    this.addSql(`create index "action_request_created_idx" on "action_request" ("created_at");`);
    this.addSql(`create index "action_request_status_created_idx" on "action_request" ("status", "created_at");`);
    this.addSql(`create index "action_request_agent_type_created_idx" on "action_request" ("agent_id", "type", "created_at");`);
    this.addSql(`create index "action_request_agent_created_idx" on "action_request" ("agent_id", "created_at");`);

    this.addSql(`create table "assignment" ("id" uuid not null, "action_id" uuid not null, "approver_id" uuid not null, "on_behalf_of_id" uuid null, "via_role" text null, "kind" text check ("kind" in ('APPROVAL', 'REVIEW')) not null, "level" smallint not null, "active" boolean not null default true, "deadline" timestamptz null, "created_at" timestamptz not null, "ended_at" timestamptz null, constraint "assignment_pkey" primary key ("id"));`);
    this.addSql(`create index "assignment_action_id_active_index" on "assignment" ("action_id", "active");`);
    this.addSql(`create index "assignment_queue_idx" on "assignment" ("approver_id", "kind", "deadline") where "active";`);

    this.addSql(`create table "audit_event" ("seq" bigint not null, "at" timestamptz not null, "kind" text not null, "subject_type" text not null, "subject_id" text null, "actor_type" text not null, "actor_id" text null, "data" jsonb null, "prev_hash" text not null, "hash" text not null, constraint "audit_event_pkey" primary key ("seq"));`);
    this.addSql(`create index "audit_event_at_index" on "audit_event" ("at");`);
    this.addSql(`create index "audit_event_kind_seq_index" on "audit_event" ("kind", "seq");`);
    this.addSql(`create index "audit_event_subject_id_seq_index" on "audit_event" ("subject_id", "seq");`);

    this.addSql(`create table "audit_head" ("id" smallint not null, "seq" bigint not null, "hash" text not null, constraint "audit_head_pkey" primary key ("id"));`);

    this.addSql(`create table "decision" ("id" uuid not null, "action_id" uuid not null, "approver_id" uuid not null, "on_behalf_of_id" uuid null, "verdict" text check ("verdict" in ('APPROVE', 'DENY', 'REQUEST_CHANGES')) not null, "comment" text null, "modified_payload" jsonb null, "escalation_level" smallint null, "at" timestamptz not null, constraint "decision_pkey" primary key ("id"));`);
    this.addSql(`create index "decision_approver_id_at_index" on "decision" ("approver_id", "at");`);
    this.addSql(`alter table "decision" add constraint "decision_action_id_approver_id_unique" unique ("action_id", "approver_id");`);

    this.addSql(`create table "delegation" ("id" uuid not null, "from_id" uuid not null, "to_id" uuid not null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "roles" text[] null, "action_types" text[] null, "reason" text null, "created_by" text not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "delegation_pkey" primary key ("id"));`);
    this.addSql(`create index "delegation_from_id_starts_at_index" on "delegation" ("from_id", "starts_at");`);

    this.addSql(`create table "governance_version" ("version" int not null, "source" text not null, "document" jsonb not null, "changes" jsonb not null, "warnings" jsonb not null, "applied_by" text not null, "applied_at" timestamptz not null, constraint "governance_version_pkey" primary key ("version"));`);

    this.addSql(`create table "review" ("id" uuid not null, "action_id" uuid not null, "approver_id" uuid not null, "on_behalf_of_id" uuid null, "verdict" text check ("verdict" in ('ACKNOWLEDGE', 'FLAG')) not null, "comment" text null, "at" timestamptz not null, constraint "review_pkey" primary key ("id"));`);
    this.addSql(`create index "review_action_id_index" on "review" ("action_id");`);

    this.addSql(`create table "server_setting" ("name" text not null, "value" text not null, "created_at" timestamptz not null, constraint "server_setting_pkey" primary key ("name"));`);

    this.addSql(`create table "signing_key" ("kid" text not null, "public_jwk" jsonb not null, "private_jwk" jsonb not null, "created_at" timestamptz not null, "retired_at" timestamptz null, constraint "signing_key_pkey" primary key ("kid"));`);

    this.addSql(`create table "timer" ("id" uuid not null, "kind" text check ("kind" in ('ESCALATE', 'ABOUT_TO_EXPIRE', 'DELEGATION')) not null, "action_id" uuid null, "delegation_id" uuid null, "level" smallint null, "round" smallint null, "due_at" timestamptz not null, "created_at" timestamptz not null, constraint "timer_pkey" primary key ("id"));`);
    this.addSql(`create index "timer_action_id_index" on "timer" ("action_id");`);
    this.addSql(`create index "timer_due_idx" on "timer" ("due_at");`);

    this.addSql(`create table "webhook_endpoint" ("id" uuid not null, "approver_id" uuid null, "role" text null, "url" text not null, "secret" text not null, "events" text[] not null, "format" text check ("format" in ('JSON', 'SLACK')) not null default 'JSON', "active" boolean not null default true, "created_at" timestamptz not null, constraint "webhook_endpoint_pkey" primary key ("id"));`);

    this.addSql(`create table "notification_delivery" ("id" uuid not null, "endpoint_id" uuid not null, "event" text not null, "action_id" uuid null, "body" jsonb not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING', "attempts" smallint not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "last_status_code" smallint null, "delivered_at" timestamptz null, "created_at" timestamptz not null, constraint "notification_delivery_pkey" primary key ("id"));`);
    this.addSql(`create index "notification_delivery_due_idx" on "notification_delivery" ("status", "next_attempt_at");`);

    this.addSql(`alter table "agent" add constraint "agent_owner_id_foreign" foreign key ("owner_id") references "approver" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "action_request" add constraint "action_request_agent_id_foreign" foreign key ("agent_id") references "agent" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "action_request" add constraint "action_request_revision_of_id_foreign" foreign key ("revision_of_id") references "action_request" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "assignment" add constraint "assignment_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "assignment" add constraint "assignment_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade;`);
    this.addSql(`alter table "assignment" add constraint "assignment_on_behalf_of_id_foreign" foreign key ("on_behalf_of_id") references "approver" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "decision" add constraint "decision_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "decision" add constraint "decision_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade;`);
    this.addSql(`alter table "decision" add constraint "decision_on_behalf_of_id_foreign" foreign key ("on_behalf_of_id") references "approver" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "delegation" add constraint "delegation_from_id_foreign" foreign key ("from_id") references "approver" ("id") on update cascade;`);
    this.addSql(`alter table "delegation" add constraint "delegation_to_id_foreign" foreign key ("to_id") references "approver" ("id") on update cascade;`);

    this.addSql(`alter table "review" add constraint "review_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "review" add constraint "review_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade;`);
    this.addSql(`alter table "review" add constraint "review_on_behalf_of_id_foreign" foreign key ("on_behalf_of_id") references "approver" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "timer" add constraint "timer_action_id_foreign" foreign key ("action_id") references "action_request" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "webhook_endpoint" add constraint "webhook_endpoint_approver_id_foreign" foreign key ("approver_id") references "approver" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notification_delivery" add constraint "notification_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on update cascade on delete cascade;`);
    // The chain starts from the genesis hash; every appender locks and advances this row.
    this.addSql(`insert into "audit_head" ("id", "seq", "hash") values (1, 0, '${'0'.repeat(64)}');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agent" drop constraint "agent_owner_id_foreign";`);

    this.addSql(`alter table "assignment" drop constraint "assignment_approver_id_foreign";`);

    this.addSql(`alter table "assignment" drop constraint "assignment_on_behalf_of_id_foreign";`);

    this.addSql(`alter table "decision" drop constraint "decision_approver_id_foreign";`);

    this.addSql(`alter table "decision" drop constraint "decision_on_behalf_of_id_foreign";`);

    this.addSql(`alter table "delegation" drop constraint "delegation_from_id_foreign";`);

    this.addSql(`alter table "delegation" drop constraint "delegation_to_id_foreign";`);

    this.addSql(`alter table "review" drop constraint "review_approver_id_foreign";`);

    this.addSql(`alter table "review" drop constraint "review_on_behalf_of_id_foreign";`);

    this.addSql(`alter table "webhook_endpoint" drop constraint "webhook_endpoint_approver_id_foreign";`);

    this.addSql(`alter table "action_request" drop constraint "action_request_agent_id_foreign";`);

    this.addSql(`alter table "action_request" drop constraint "action_request_revision_of_id_foreign";`);

    this.addSql(`alter table "assignment" drop constraint "assignment_action_id_foreign";`);

    this.addSql(`alter table "decision" drop constraint "decision_action_id_foreign";`);

    this.addSql(`alter table "review" drop constraint "review_action_id_foreign";`);

    this.addSql(`alter table "timer" drop constraint "timer_action_id_foreign";`);

    this.addSql(`alter table "notification_delivery" drop constraint "notification_delivery_endpoint_id_foreign";`);

    this.addSql(`drop table if exists "admin_token" cascade;`);

    this.addSql(`drop table if exists "approver" cascade;`);

    this.addSql(`drop table if exists "agent" cascade;`);

    this.addSql(`drop table if exists "action_request" cascade;`);

    this.addSql(`drop table if exists "assignment" cascade;`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "audit_head" cascade;`);

    this.addSql(`drop table if exists "decision" cascade;`);

    this.addSql(`drop table if exists "delegation" cascade;`);

    this.addSql(`drop table if exists "governance_version" cascade;`);

    this.addSql(`drop table if exists "review" cascade;`);

    this.addSql(`drop table if exists "server_setting" cascade;`);

    this.addSql(`drop table if exists "signing_key" cascade;`);

    this.addSql(`drop table if exists "timer" cascade;`);

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);

    this.addSql(`drop table if exists "notification_delivery" cascade;`);
  }

}
