import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { appendAudit } from '../../audit/audit.service.js';
import { actorRef, type Principal } from '../../auth/principal.js';
import { PrincipalKind } from '../../shared/enums.js';
import { Approver } from '../../principals/approver.entity.js';
import { NotificationPreference } from './preference.entity.js';
import { DEFAULT_PREFERENCES, applyChange, type EmailPreferences, type PreferenceChange } from './preferences.js';

type ApproverCaller = Extract<Principal, { kind: PrincipalKind.APPROVER }>;

function fromRow(row: NotificationPreference | null): EmailPreferences {
  if (!row) return { ...DEFAULT_PREFERENCES };
  return {
    emailAssigned: row.emailAssigned,
    emailEscalated: row.emailEscalated,
    emailAboutToExpire: row.emailAboutToExpire,
    emailDigest: row.emailDigest,
    digestHourUtc: row.digestHourUtc,
  };
}

/** An approver's preferences as stored, or the defaults when they never chose. */
export async function preferencesOf(em: EntityManager, approverId: string): Promise<EmailPreferences> {
  return fromRow(await em.findOne(NotificationPreference, { approver: approverId }));
}

/**
 * Changes the caller's own preferences (only approvers have them): fields left out stay
 * as they are. A change is audited (NOTIFICATION_PREFERENCES_UPDATED, with the values
 * before and after); asking for what is already set changes nothing and records nothing.
 */
export async function updateMyNotifications(em: EntityManager, by: ApproverCaller, change: PreferenceChange): Promise<EmailPreferences> {
  return em.transactional(async (tx) => {
    // Locked: two changes at once from two tabs apply one after the other, each audited against what it replaced.
    await tx.findOneOrFail(Approver, { id: by.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const row = await tx.findOne(NotificationPreference, { approver: by.id });
    const current = fromRow(row);
    const { next, changed } = applyChange(current, change);
    if (changed.length === 0) return current;
    const stored = row ?? tx.create(NotificationPreference, { approver: tx.getReference(Approver, by.id) });
    Object.assign(stored, next);
    tx.persist(stored);
    await tx.flush();
    await appendAudit(tx, [{
      kind: 'NOTIFICATION_PREFERENCES_UPDATED', subjectType: 'APPROVER', subjectId: by.id, ...actorRef(by),
      data: { before: Object.fromEntries(changed.map((k) => [k, current[k]])), after: Object.fromEntries(changed.map((k) => [k, next[k]])) },
    }]);
    return next;
  });
}
