import { describe, expect, it } from 'vitest';
import { isSlackUserIdTaken, validSlackUserId } from './slack-user-id.js';

describe('validSlackUserId', () => {
  it('accepts member ids and trims them', () => {
    expect(validSlackUserId('U012ABCDEF')).toBe('U012ABCDEF');
    expect(validSlackUserId(' W0AB12 ')).toBe('W0AB12');
  });
  it('clears with null or blank', () => {
    expect(validSlackUserId(null)).toBeNull();
    expect(validSlackUserId(undefined)).toBeNull();
    expect(validSlackUserId('  ')).toBeNull();
  });
  it('refuses what is not a member id', () => {
    for (const bad of ['u012abcdef', 'C012ABCDEF', '@alice', 'U1', 'U012-ABC', `U${'A'.repeat(40)}`]) {
      expect(() => validSlackUserId(bad), bad).toThrow(/not a Slack member id/);
    }
  });
  it('tells the Slack id constraint from others', () => {
    expect(isSlackUserIdTaken({ constraint: 'approver_slack_user_id_unique' })).toBe(true);
    expect(isSlackUserIdTaken({ constraint: 'approver_name_unique' })).toBe(false);
    expect(isSlackUserIdTaken(null)).toBe(false);
  });
});
