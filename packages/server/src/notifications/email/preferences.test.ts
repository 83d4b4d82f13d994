import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { NotificationEvent } from '../webhook.entity.js';
import { DEFAULT_PREFERENCES, applyChange, digestDay, wantsEmail } from './preferences.js';

describe('notification preferences', () => {
  it('changes only what is given, and says what changed', () => {
    const { next, changed } = applyChange(DEFAULT_PREFERENCES, { emailAssigned: false, emailDigest: null, digestHourUtc: 7 });
    expect(next).toEqual({ ...DEFAULT_PREFERENCES, emailAssigned: false, digestHourUtc: 7 });
    expect(changed).toEqual(['emailAssigned', 'digestHourUtc']);
    expect(applyChange(next, { emailAssigned: false }).changed).toEqual([]);
  });

  it('refuses a digest hour that is not a whole hour of the day', () => {
    for (const hour of [-1, 24, 7.5]) expect(() => applyChange(DEFAULT_PREFERENCES, { digestHourUtc: hour })).toThrow(AppError);
  });

  it('mails approvals, escalations and warnings as chosen; reviews wait for the digest; decisions are not mailed', () => {
    const all = { emailAssigned: true, emailEscalated: true, emailAboutToExpire: true };
    expect(wantsEmail(all, NotificationEvent.ASSIGNED, 'APPROVAL')).toBe(true);
    expect(wantsEmail(all, NotificationEvent.ASSIGNED, 'REVIEW')).toBe(false);
    expect(wantsEmail(all, NotificationEvent.DECIDED)).toBe(false);
    expect(wantsEmail({ ...all, emailEscalated: false }, NotificationEvent.ESCALATED)).toBe(false);
    expect(wantsEmail({ ...all, emailAboutToExpire: false }, NotificationEvent.ABOUT_TO_EXPIRE)).toBe(false);
    expect(wantsEmail({ ...all, emailAssigned: false }, NotificationEvent.ASSIGNED, 'APPROVAL')).toBe(false);
  });

  it('counts digests by UTC day', () => {
    expect(digestDay(new Date('2026-12-05T23:59:59Z'))).toBe('2026-12-05');
  });
});
