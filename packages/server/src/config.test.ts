import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig: database timeouts and the secret key', () => {
  it('bounds every wait on the database by default', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.databaseTimeouts).toEqual({ statementMs: 5000, acquireMs: 3000, readinessMs: 2000 });
    expect(result.ok && result.config.secretKey).toBeNull();
  });

  it('takes a 32-byte base64 COUNTERSIGN_SECRET_KEY', () => {
    const key = randomBytes(32);
    const result = loadConfig({ COUNTERSIGN_SECRET_KEY: key.toString('base64') });
    expect(result.ok && result.config.secretKey?.equals(key)).toBe(true);
  });

  it('refuses a secret key of the wrong size, and bad timeouts, naming each variable', () => {
    const result = loadConfig({ COUNTERSIGN_SECRET_KEY: randomBytes(16).toString('base64'), DATABASE_STATEMENT_TIMEOUT_MS: 'soon', DATABASE_ACQUIRE_TIMEOUT_MS: '0' });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.join('\n')).toMatch(/COUNTERSIGN_SECRET_KEY/);
    expect(errors.join('\n')).toMatch(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(errors.join('\n')).toMatch(/DATABASE_ACQUIRE_TIMEOUT_MS/);
  });
});
