import { AppError } from '../../errors.js';

/** A Slack member id: `U…` (or `W…` on Enterprise Grid), upper-case letters and digits. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;

/** The Slack member id as stored, or null to clear it; anything else is BAD_USER_INPUT. */
export function validSlackUserId(value: string | null | undefined, field = 'slackUserId'): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const id = value.trim();
  if (!SLACK_USER_ID.test(id)) {
    throw AppError.badInput(`${field} "${value.slice(0, 64)}" is not a Slack member id (like U012ABCDEF: in Slack, open the profile, ⋮, "Copy member ID").`, field);
  }
  return id;
}

/** Whether a unique violation is the Slack id's (rather than, say, the name's). */
export function isSlackUserIdTaken(error: unknown): boolean {
  const e = error as { constraint?: string; message?: string } | null;
  return typeof e === 'object' && e !== null && (e.constraint === 'approver_slack_user_id_unique' || (e.message ?? '').includes('approver_slack_user_id_unique'));
}
