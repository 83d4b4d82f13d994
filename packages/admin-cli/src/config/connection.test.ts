import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../errors.js';
import { DEFAULT_URL, normalizeUrl, resolveConnection } from './connection.js';
import type { ConfigFile } from './profiles.js';

const saved: ConfigFile = {
  current: 'default',
  profiles: {
    default: { url: 'http://127.0.0.1:4000/graphql', token: 'profile-token', savedAt: '' },
    prod: { url: 'https://cs.example.com/graphql', token: 'prod-token', savedAt: '' },
  },
};

describe('normalizeUrl', () => {
  it.each([
    ['localhost:4000', 'http://localhost:4000/graphql'],
    ['https://cs.example.com', 'https://cs.example.com/graphql'],
    ['http://127.0.0.1:4000/graphql', 'http://127.0.0.1:4000/graphql'],
    ['https://cs.example.com/api/graphql', 'https://cs.example.com/api/graphql'],
  ])('should read %s as %s', (input, url) => {
    expect(normalizeUrl(input)).toBe(url);
  });

  it('should refuse other schemes as a usage error', () => {
    expect(() => normalizeUrl('ftp://x')).toThrow(expect.objectContaining({ exitCode: ExitCode.USAGE }));
  });
});

describe('resolveConnection', () => {
  it('should use the current profile when nothing else is given', () => {
    expect(resolveConnection({}, {}, saved)).toMatchObject({ url: 'http://127.0.0.1:4000/graphql', token: 'profile-token', sources: { url: 'profile', token: 'profile' } });
  });

  it('should let the environment override the profile, and flags the environment', () => {
    const env = { COUNTERSIGN_URL: 'https://cs.example.com', COUNTERSIGN_TOKEN: 'env-token' };
    expect(resolveConnection({}, env, saved)).toMatchObject({ url: 'https://cs.example.com/graphql', token: 'env-token', sources: { url: 'env', token: 'env' } });
    expect(resolveConnection({ token: 'flag-token' }, env, saved)).toMatchObject({ token: 'flag-token', sources: { url: 'env', token: 'flag' } });
  });

  it('should never send a profile token to another server', () => {
    expect(resolveConnection({ url: 'https://evil.example.com' }, {}, saved)).toMatchObject({ token: undefined });
  });

  it('should pick a named profile by flag or COUNTERSIGN_PROFILE', () => {
    expect(resolveConnection({ profile: 'prod' }, {}, saved).token).toBe('prod-token');
    expect(resolveConnection({}, { COUNTERSIGN_PROFILE: 'prod' }, saved).token).toBe('prod-token');
  });

  it('should name the saved profiles when asked for one that does not exist', () => {
    const error = (() => {
      try {
        resolveConnection({ profile: 'staging' }, {}, saved);
      } catch (e) {
        return e as CliError;
      }
    })();
    expect(error?.exitCode).toBe(ExitCode.USAGE);
    expect(error?.message).toMatch(/No profile named "staging" \(saved: default, prod\)/);
  });

  it('should default to the local server with no token', () => {
    expect(resolveConnection({}, {}, { profiles: {} })).toMatchObject({ url: DEFAULT_URL, token: undefined, sources: { url: 'default' } });
  });
});
