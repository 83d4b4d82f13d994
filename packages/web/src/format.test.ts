import { describe, expect, it } from 'vitest';
import { countdown, parseJson, prettyJson, words } from './format.js';

describe('formatting for approvers', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  it('reads a deadline as a countdown, and says when it has passed', () => {
    expect(countdown('2026-12-04T12:04:30Z', now)).toBe('in 4 min 30 s');
    expect(countdown('2026-12-04T14:05:00Z', now)).toBe('in 2 h 5 min');
    expect(countdown('2026-12-04T11:57:00Z', now)).toBe('3 min 00 s overdue');
    expect(countdown(null, now)).toBe('No deadline');
  });
  it('says why typed JSON is invalid instead of throwing', () => {
    expect(parseJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('{"a": }')).toMatchObject({ ok: false });
  });
  it('prints JSON with sorted keys so a diff shows only real changes', () => {
    expect(prettyJson({ b: 1, a: { d: 2, c: 3 } })).toBe(prettyJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
  it('turns enum values into words', () => {
    expect(words('CHANGES_REQUESTED')).toBe('Changes requested');
  });
});
