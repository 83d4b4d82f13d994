import { AppError } from '../../errors.js';
import { assertNever } from '../../shared/enums.js';
import { NotificationEvent } from '../webhook.entity.js';

/** Which mails an approver gets (DESIGN §14: `updateMyNotifications`). */
export interface EmailPreferences {
  emailAssigned: boolean;
  emailEscalated: boolean;
  emailAboutToExpire: boolean;
  emailDigest: boolean;
  /** The hour (UTC) of the daily digest; null: the server's default. */
  digestHourUtc: number | null;
}

/** An approver who never chose gets every mail, the digest at the server's hour. */
export const DEFAULT_PREFERENCES: Readonly<EmailPreferences> = Object.freeze({
  emailAssigned: true,
  emailEscalated: true,
  emailAboutToExpire: true,
  emailDigest: true,
  digestHourUtc: null,
});

/** A change as asked for: absent (undefined or null) fields stay as they are. */
export type PreferenceChange = { [K in keyof EmailPreferences]?: EmailPreferences[K] | null };

/**
 * The preferences after `change`, and which fields it changed. The digest hour is a whole
 * hour of the UTC day (0–23); anything else is BAD_USER_INPUT.
 */
export function applyChange(current: EmailPreferences, change: PreferenceChange): { next: EmailPreferences; changed: (keyof EmailPreferences)[] } {
  const next = { ...current };
  for (const key of ['emailAssigned', 'emailEscalated', 'emailAboutToExpire', 'emailDigest'] as const) {
    const value = change[key];
    if (value !== undefined && value !== null) next[key] = value;
  }
  const hour = change.digestHourUtc;
  if (hour !== undefined && hour !== null) {
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw AppError.badInput(`digestHourUtc must be a whole hour from 0 to 23 (UTC), not ${hour}.`, 'digestHourUtc');
    next.digestHourUtc = hour;
  }
  const changed = (Object.keys(next) as (keyof EmailPreferences)[]).filter((key) => next[key] !== current[key]);
  return { next, changed };
}

/** Whether a mail for `event` is wanted. ASSIGNED mails are for approvals: reviews wait for the digest. */
export function wantsEmail(prefs: Pick<EmailPreferences, 'emailAssigned' | 'emailEscalated' | 'emailAboutToExpire'>, event: NotificationEvent, assignment?: 'APPROVAL' | 'REVIEW'): boolean {
  switch (event) {
    case NotificationEvent.ASSIGNED:
      return assignment !== 'REVIEW' && prefs.emailAssigned;
    case NotificationEvent.ESCALATED:
      return prefs.emailEscalated;
    case NotificationEvent.ABOUT_TO_EXPIRE:
      return prefs.emailAboutToExpire;
    case NotificationEvent.BREAK_GLASS:
      // It ran without approval and its review has a deadline: as pressing as a request waiting for you.
      return prefs.emailAssigned;
    case NotificationEvent.DECIDED:
      // The page of a decided request says what happened; no mail chases it.
      return false;
    default:
      return assertNever(event);
  }
}

/** The UTC day `now` falls on, as `YYYY-MM-DD`: a digest is sent once per approver and day. */
export function digestDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}
