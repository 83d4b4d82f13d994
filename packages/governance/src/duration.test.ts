import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86_400],
    ['90', 90],
    [' 15m ', 900],
    [45, 45],
  ])('reads %j as %i seconds', (value, seconds) => {
    expect(parseDuration(value)).toBe(seconds);
  });

  it.each(['15 minutes', '1.5h', '15M', 'h', '', '-5m', '2w'])('refuses %j and says which forms work', (value) => {
    expect(() => parseDuration(value)).toThrow(`${JSON.stringify(value)} is not a duration (use 30s, 15m, 2h or seconds)`);
  });

  it.each([1.5, -3, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %d', (value) => {
    expect(() => parseDuration(value)).toThrow(/is not a duration/);
  });

  it('refuses a duration of zero, which would expire every request at once', () => {
    expect(() => parseDuration('0s')).toThrow('"0s" is not a duration: it must be longer than zero');
    expect(() => parseDuration(0)).toThrow('0 is not a duration: it must be longer than zero');
  });
});
