import { describe, expect, it } from 'vitest';
import { Mode } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import { MAX_BREAK_GLASS_JUSTIFICATION, judgeBreakGlass, normalizeBreakGlass, utcDay } from './break-glass.rules.js';

const allowed = { allowed: true, maxPerDay: 2 };

describe('normalizeBreakGlass', () => {
  it('is null when break-glass was not asked for, and trims the justification', () => {
    expect(normalizeBreakGlass(undefined)).toBeNull();
    expect(normalizeBreakGlass(null)).toBeNull();
    expect(normalizeBreakGlass({ justification: '  prod is down  ' })).toEqual({ justification: 'prod is down' });
  });

  it('refuses a blank or an overlong justification, naming the field', () => {
    for (const justification of ['', '   ', null]) {
      expect(() => normalizeBreakGlass({ justification })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'breakGlass.justification' }) }));
    }
    expect(() => normalizeBreakGlass({ justification: 'x'.repeat(MAX_BREAK_GLASS_JUSTIFICATION + 1) })).toThrow(/longer than 2000/);
    expect(normalizeBreakGlass({ justification: 'x'.repeat(MAX_BREAK_GLASS_JUSTIFICATION) })).not.toBeNull();
  });
});

describe('judgeBreakGlass', () => {
  it('opens a request that would wait for approval, where the policy allows it and a route names its reviewers', () => {
    expect(judgeBreakGlass({ policy: 'payments', mode: Mode.SYNC_APPROVAL, breakGlass: allowed }, true)).toEqual({ kind: 'OPEN', maxPerDay: 2 });
  });

  it('refuses it where the policy does not allow it, or without a policy', () => {
    for (const breakGlass of [null, { allowed: false, maxPerDay: 1 }]) {
      expect(judgeBreakGlass({ policy: 'payments', mode: Mode.SYNC_APPROVAL, breakGlass }, true)).toMatchObject({ kind: 'REFUSED', reason: StatusReason.BREAK_GLASS_NOT_ALLOWED });
    }
    expect(judgeBreakGlass({ policy: null, mode: Mode.SYNC_APPROVAL, breakGlass: null }, true)).toMatchObject({ kind: 'REFUSED', sentence: expect.stringContaining('no policy') });
  });

  it('refuses it when no route names anyone to review it (fail closed)', () => {
    expect(judgeBreakGlass({ policy: 'payments', mode: Mode.SYNC_APPROVAL, breakGlass: allowed }, false)).toMatchObject({ kind: 'REFUSED', reason: StatusReason.NO_ROUTE });
  });

  it('leaves AUTO, ASYNC_REVIEW and BLOCK their usual way, with a note', () => {
    for (const mode of [Mode.AUTO, Mode.ASYNC_REVIEW, Mode.BLOCK]) {
      expect(judgeBreakGlass({ policy: 'payments', mode, breakGlass: allowed }, true)).toMatchObject({ kind: 'USUAL', note: expect.stringMatching(/^Break-glass was asked for/) });
    }
    expect(judgeBreakGlass({ policy: 'payments', mode: Mode.BLOCK, breakGlass: allowed }, true)).toMatchObject({ note: expect.stringContaining('never opens a blocked one') });
  });
});

describe('utcDay', () => {
  it('is the UTC date, whatever the local time zone', () => {
    expect(utcDay(new Date('2026-12-05T23:59:59.999Z'))).toBe('2026-12-05');
    expect(utcDay(new Date('2026-12-06T00:30:00+01:00'))).toBe('2026-12-05');
  });
});
