import { describe, expect, it } from 'vitest';
import { joinStatements } from './row-batch.js';

describe('the inserts of a flush, joined into as few statements as fit', () => {
  it('joins a request, its assignments and its timers into one statement, parameters in the order of their placeholders', () => {
    const joined = joinStatements([
      ['insert into "action_request" ("id") values (?)', ['a1']],
      ['insert into "assignment" ("id", "action_id") values (?, ?), (?, ?)', ['s1', 'a1', 's2', 'a1']],
      ['insert into "timer" ("id", "action_id") values (?, ?)', ['t1', 'a1']],
    ]);
    expect(joined).toEqual([
      [
        'with "i1" as (insert into "action_request" ("id") values (?)), "i2" as (insert into "assignment" ("id", "action_id") values (?, ?), (?, ?)) ' +
          'insert into "timer" ("id", "action_id") values (?, ?)',
        ['a1', 's1', 'a1', 's2', 'a1', 't1', 'a1'],
      ],
    ]);
  });

  it('leaves a single insert as it is, and writes nothing for nothing', () => {
    expect(joinStatements([['insert into "t" ("id") values (?)', [1]]])).toEqual([['insert into "t" ("id") values (?)', [1]]]);
    expect(joinStatements([])).toEqual([]);
  });

  it('starts a new statement where the next insert would pass the protocol\'s 65,535 parameters, keeping the order', () => {
    const big = (n: number, tag: string): [string, unknown[]] => [`insert ${tag}`, Array.from({ length: n }, (_, i) => `${tag}${i}`)];
    const joined = joinStatements([big(40_000, 'a'), big(20_000, 'b'), big(10_000, 'c'), big(5, 'd')]);
    expect(joined.map(([text, params]) => [text, params.length])).toEqual([
      ['with "i1" as (insert a) insert b', 60_000],
      ['with "i1" as (insert c) insert d', 10_005],
    ]);
    expect(joined.flatMap(([, params]) => params)).toEqual([...big(40_000, 'a')[1], ...big(20_000, 'b')[1], ...big(10_000, 'c')[1], ...big(5, 'd')[1]]);
  });
});
