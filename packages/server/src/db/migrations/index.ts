import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124003234_initial } from './Migration20261124003234_initial.js';
import { Migration20261124005820_notifications } from './Migration20261124005820_notifications.js';
import { Migration20261124013935_bounded_behaviour_reads } from './Migration20261124013935_bounded_behaviour_reads.js';
import { Migration20261125020000_audit_canonical } from './Migration20261125020000_audit_canonical.js';
import { Migration20261126000000_audit_lz4 } from './Migration20261126000000_audit_lz4.js';
import { Migration20261127000000_group_assignment } from './Migration20261127000000_group_assignment.js';
import { Migration20261127010000_directory_version } from './Migration20261127010000_directory_version.js';
import { Migration20261204000000_secrets_at_rest } from './Migration20261204000000_secrets_at_rest.js';
import { Migration20261204230000_decision_candidate } from './Migration20261204230000_decision_candidate.js';
import { Migration20261204230000_web_session } from './Migration20261204230000_web_session.js';
import { Migration20261205010000_grants } from './Migration20261205010000_grants.js';
import { Migration20261205020000_break_glass } from './Migration20261205020000_break_glass.js';
import { Migration20261205030000_email } from './Migration20261205030000_email.js';
import { Migration20261205040000_slack } from './Migration20261205040000_slack.js';
import { Migration20261205050000_email_bounces } from './Migration20261205050000_email_bounces.js';
import { Migration20261205060000_session_id_token } from './Migration20261205060000_session_id_token.js';

/**
 * Migrations listed statically: MikroORM's folder discovery require()s `.ts` files, which
 * fails under vitest (STACK-NOTES.md). Add each new migration here, in order.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124003234_initial', class: Migration20261124003234_initial },
  { name: 'Migration20261124005820_notifications', class: Migration20261124005820_notifications },
  { name: 'Migration20261124013935_bounded_behaviour_reads', class: Migration20261124013935_bounded_behaviour_reads },
  { name: 'Migration20261125020000_audit_canonical', class: Migration20261125020000_audit_canonical },
  { name: 'Migration20261126000000_audit_lz4', class: Migration20261126000000_audit_lz4 },
  { name: 'Migration20261127000000_group_assignment', class: Migration20261127000000_group_assignment },
  { name: 'Migration20261127010000_directory_version', class: Migration20261127010000_directory_version },
  { name: 'Migration20261204000000_secrets_at_rest', class: Migration20261204000000_secrets_at_rest },
  { name: 'Migration20261204230000_decision_candidate', class: Migration20261204230000_decision_candidate },
  { name: 'Migration20261204230000_web_session', class: Migration20261204230000_web_session },
  { name: 'Migration20261205010000_grants', class: Migration20261205010000_grants },
  { name: 'Migration20261205020000_break_glass', class: Migration20261205020000_break_glass },
  { name: 'Migration20261205030000_email', class: Migration20261205030000_email },
  { name: 'Migration20261205040000_slack', class: Migration20261205040000_slack },
  { name: 'Migration20261205050000_email_bounces', class: Migration20261205050000_email_bounces },
  { name: 'Migration20261205060000_session_id_token', class: Migration20261205060000_session_id_token },
];
