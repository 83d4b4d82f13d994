import { describe, expect, it } from 'vitest';
import { toMilliseconds } from './duration.js';

describe('toMilliseconds', () => {
  it.each([
    [250, 250],
    [0, 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ] as const)('reads %j as %d ms', (input, expected) => {
    expect(toMilliseconds(input)).toBe(expected);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '15', '15 minutes', '1h30m', '-5s', '', 'm'])('refuses %j, naming the option', (input) => {
    expect(() => toMilliseconds(input as never, 'timeout')).toThrow(RangeError);
    expect(() => toMilliseconds(input as never, 'timeout')).toThrow(/^timeout must be/);
  });
});
