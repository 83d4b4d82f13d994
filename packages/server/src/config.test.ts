import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('web app configuration', () => {
  it('defaults to 12 h idle, 7 days in all and 10 sessions per person, with no public URL (the server\'s own)', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.sessions).toEqual({ idleSeconds: 43_200, maxAgeSeconds: 604_800, perPrincipal: 10 });
    expect(result.ok && result.config.publicUrl).toBeNull();
  });

  it('keeps the public URL without its trailing slash', () => {
    const result = loadConfig({ COUNTERSIGN_PUBLIC_URL: 'https://cs.example.com/countersign/' });
    expect(result.ok && result.config.publicUrl).toBe('https://cs.example.com/countersign');
  });

  it('refuses a public URL that is not http(s), or carries credentials or a query, naming the variable', () => {
    for (const value of ['cs.example.com', 'ftp://cs.example.com', 'https://user:pw@cs.example.com', 'https://cs.example.com/?x=1']) {
      const result = loadConfig({ COUNTERSIGN_PUBLIC_URL: value });
      expect(result.ok, value).toBe(false);
      expect(!result.ok && result.errors.join('\n')).toContain('COUNTERSIGN_PUBLIC_URL');
    }
  });

  it('refuses session limits that are not whole positive numbers', () => {
    const result = loadConfig({ COUNTERSIGN_SESSION_IDLE_TIMEOUT: '0', COUNTERSIGN_SESSION_MAX_AGE: '1h', COUNTERSIGN_SESSIONS_PER_PRINCIPAL: '-1' });
    expect(!result.ok && result.errors).toHaveLength(3);
  });
});
