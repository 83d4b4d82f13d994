import { Migration } from '@mikro-orm/migrations';

export class Migration20261124013935_bounded_behaviour_reads extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "action_request_decided_idx" on "action_request" ("decided_at");`);
    this.addSql(`create index "action_request_type_created_idx" on "action_request" ("type", "created_at");`);
    this.addSql(`create index "action_request_agent_type_amount_idx" on "action_request" ("agent_id", "type", "created_at") where "amount_value" is not null;`);
    this.addSql(`create index "action_request_agent_denied_idx" on "action_request" ("agent_id", "created_at") where "status" = 'DENIED';`);

    this.addSql(`create index "review_flag_at_idx" on "review" ("at") where "verdict" = 'FLAG';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "action_request_decided_idx";`);
    this.addSql(`drop index "action_request_type_created_idx";`);
    this.addSql(`drop index "action_request_agent_type_amount_idx";`);
    this.addSql(`drop index "action_request_agent_denied_idx";`);

    this.addSql(`drop index "review_flag_at_idx";`);
  }

}
