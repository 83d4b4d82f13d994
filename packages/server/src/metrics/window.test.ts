import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { bucketStarts, resolveRange } from './window.js';

const now = new Date('2026-03-10T12:34:56.789Z');

function badInput(run: () => unknown): { field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { field: (error as AppError).extensions.field, message: (error as AppError).message };
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('resolveRange', () => {
  it('should cover the last 24 hours in 30-minute buckets by default', () => {
    const range = resolveRange({}, now);
    expect(range).toMatchObject({ window: '24h', bucket: '30m', bucketSeconds: 1800, until: now });
    expect(range.since).toEqual(new Date('2026-03-09T12:34:56.789Z'));
    expect(bucketStarts(range)).toHaveLength(49);
  });

  it('should align buckets to multiples of their size, so calls plot on the same grid', () => {
    const starts = bucketStarts(resolveRange({ window: '3h', bucket: '1h' }, now));
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-03-10T09:00:00.000Z', '2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z']);
  });

  it.each([
    ['1h', '1m'],
    ['7d', '3h'],
    ['30d', '12h'],
    ['90d', '7d'],
  ])('should choose a bucket giving at most 60 points for %s', (window, bucket) => {
    expect(resolveRange({ window }, now).bucket).toBe(bucket);
  });

  it('should end the window at until when given', () => {
    const until = new Date('2026-01-01T00:00:00Z');
    expect(resolveRange({ window: '1d', until }, now)).toMatchObject({ since: new Date('2025-12-31T00:00:00Z'), until });
  });

  it.each([
    [{ window: '24 hours' }, 'window'],
    [{ window: '0h' }, 'window'],
    [{ window: '400d' }, 'window'],
    [{ window: '1h', bucket: '2h' }, 'bucket'],
    [{ window: '30d', bucket: '1m' }, 'bucket'],
  ])('should refuse %j, naming the argument', (args, field) => {
    expect(badInput(() => resolveRange(args, now)).field).toBe(field);
  });
});
