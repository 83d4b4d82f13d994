import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';

describe('Slack configuration', () => {
  it('is off without the secrets, on with both, at Slack unless told otherwise', () => {
    const off = loadConfig({});
    expect(off.ok && off.config.slack).toBeNull();
    const on = loadConfig({ COUNTERSIGN_SLACK_SIGNING_SECRET: 's3cret', COUNTERSIGN_SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(on.ok && on.config.slack).toEqual({ signingSecret: 's3cret', botToken: 'xoxb-1', apiUrl: 'https://slack.com/api/' });
    const local = loadConfig({ COUNTERSIGN_SLACK_SIGNING_SECRET: 's3cret', COUNTERSIGN_SLACK_BOT_TOKEN: 'xoxb-1', COUNTERSIGN_SLACK_API_URL: 'http://127.0.0.1:9999/api' });
    expect(local.ok && local.config.slack?.apiUrl).toBe('http://127.0.0.1:9999/api/');
  });

  it('refuses half a configuration and a bad API URL, naming the variable and never the secret', () => {
    const half = loadConfig({ COUNTERSIGN_SLACK_BOT_TOKEN: 'xoxb-very-secret' });
    expect(half.ok).toBe(false);
    expect(!half.ok && half.errors.join('\n')).toContain('COUNTERSIGN_SLACK_SIGNING_SECRET is missing');
    expect(!half.ok && half.errors.join('\n')).not.toContain('xoxb-very-secret');
    const bad = loadConfig({ COUNTERSIGN_SLACK_SIGNING_SECRET: 's', COUNTERSIGN_SLACK_BOT_TOKEN: 'x', COUNTERSIGN_SLACK_API_URL: 'ftp://slack' });
    expect(!bad.ok && bad.errors.join('\n')).toContain('COUNTERSIGN_SLACK_API_URL');
  });
});
