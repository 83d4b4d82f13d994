import { Migration } from '@mikro-orm/migrations';

/**
 * Modified payloads under a quorum (DESIGN §2, "Rules that keep approvals honest"): an
 * approval with a modification makes it the candidate and the approvals of the earlier
 * candidate stop counting, so one person may vote once per candidate, not once per request.
 * `candidate` is the candidate a vote was cast on (0: the submitted payload, n: the n-th
 * modification). Existing votes are given 0: they were counted before candidates existed.
 */
export class Migration20261204230000_decision_candidate extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "decision" add column "candidate" smallint not null default 0;`);
    this.addSql(`alter table "decision" drop constraint "decision_action_id_approver_id_unique";`);
    this.addSql(`alter table "decision" add constraint "decision_action_id_approver_id_candidate_unique" unique ("action_id", "approver_id", "candidate");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "decision" drop constraint "decision_action_id_approver_id_candidate_unique";`);
    this.addSql(`delete from "decision" d where exists (select 1 from "decision" e where e."action_id" = d."action_id" and e."approver_id" = d."approver_id" and e."candidate" > d."candidate");`);
    this.addSql(`alter table "decision" add constraint "decision_action_id_approver_id_unique" unique ("action_id", "approver_id");`);
    this.addSql(`alter table "decision" drop column "candidate";`);
  }

}
