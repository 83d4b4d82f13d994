import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../errors.js';
import { formatDuration, parseDuration, parseEnd, parseInstant, parseSince } from './time.js';

const NOW = new Date('2025-07-10T12:00:00Z');

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['90', 90_000],
    ['1.5h', 5_400_000],
  ])('should read %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '7 days', 'd7', '1y', '-5m'])('should refuse %j as a usage error naming the forms', (text) => {
    const error = (() => {
      try {
        parseDuration(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.USAGE);
    expect((error as CliError).message).toMatch(/e\.g\. 30s, 15m, 24h, 7d/);
  });
});

describe('parseSince', () => {
  it('should count a duration back from now', () => {
    expect(parseSince('7d', NOW).toISOString()).toBe('2025-07-03T12:00:00.000Z');
  });

  it('should take a date as it is', () => {
    expect(parseSince('2025-07-01', NOW).toISOString()).toBe('2025-07-01T00:00:00.000Z');
  });

  it('should refuse what is neither', () => {
    expect(() => parseSince('last tuesday', NOW)).toThrow(/not a date/);
  });
});

describe('parseInstant and parseEnd', () => {
  it('should read now', () => {
    expect(parseInstant('now', NOW)).toBe(NOW);
  });

  it('should refuse a bare number, which Date would read as a year or a timestamp', () => {
    expect(() => parseInstant('2025', NOW)).toThrow(CliError);
  });

  it('should count an end duration from the start, not from now', () => {
    const start = new Date('2025-08-01T00:00:00Z');
    expect(parseEnd('14d', start, NOW).toISOString()).toBe('2025-08-15T00:00:00.000Z');
    expect(parseEnd('2025-09-01T00:00:00Z', start, NOW).toISOString()).toBe('2025-09-01T00:00:00.000Z');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [900_000, '15m'],
    [5_400_000, '1h30m'],
    [90_061_000, '1d1h'],
    [-120_000, '-2m'],
  ])('should render %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
