import { Migration } from '@mikro-orm/migrations';

/** A session opened by single sign-on keeps the provider's ID token (sealed), to sign out there too. */
export class Migration20261205060000_session_id_token extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "web_session" add column "id_token" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "web_session" drop column if exists "id_token";`);
  }

}
