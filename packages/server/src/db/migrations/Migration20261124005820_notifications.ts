import { Migration } from '@mikro-orm/migrations';

export class Migration20261124005820_notifications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "notification_delivery_action_idx" on "notification_delivery" ("action_id");`);
    this.addSql(`create index "notification_delivery_endpoint_idx" on "notification_delivery" ("endpoint_id", "created_at", "id");`);
    this.addSql(`create index "notification_delivery_created_idx" on "notification_delivery" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "notification_delivery_action_idx";`);
    this.addSql(`drop index "notification_delivery_endpoint_idx";`);
    this.addSql(`drop index "notification_delivery_created_idx";`);
  }

}
