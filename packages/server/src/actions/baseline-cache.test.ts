import { describe, expect, it } from 'vitest';
import { TimedCache } from './baseline-cache.js';

describe('TimedCache', () => {
  const clock = () => {
    const c = { t: 1_000, now: () => c.t };
    return c;
  };

  it('reuses a value within its time bound and reads again after it', async () => {
    const c = clock();
    const cache = new TimedCache<number>(3_000, 10, c.now);
    let reads = 0;
    const load = async () => ++reads;
    expect(await cache.get('a', load)).toBe(1);
    c.t += 2_999;
    expect(await cache.get('a', load)).toBe(1);
    c.t += 1;
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('counts the age from when the read started, and shares a read in flight', async () => {
    const c = clock();
    const cache = new TimedCache<string>(3_000, 10, c.now);
    let release!: (v: string) => void;
    let reads = 0;
    const slow = () => { reads++; return new Promise<string>((r) => (release = r)); };
    const first = cache.get('a', slow);
    const second = cache.get('a', slow);
    c.t += 2_000; // the read takes 2 s
    release('old');
    expect(await first).toBe('old');
    expect(await second).toBe('old');
    expect(reads).toBe(1);
    c.t += 1_000; // 3 s after the read started: too old, although it finished 1 s ago
    expect(await cache.get('a', async () => 'new')).toBe('new');
  });

  it('does not keep a failed read', async () => {
    const cache = new TimedCache<number>(3_000, 10, clock().now);
    await expect(cache.get('a', async () => { throw new Error('down'); })).rejects.toThrow('down');
    expect(await cache.get('a', async () => 7)).toBe(7);
  });

  it('forgets a key on delete, and holds at most its size', async () => {
    const c = clock();
    const cache = new TimedCache<number>(3_000, 3, c.now);
    for (let i = 0; i < 5; i++) await cache.get(`k${i}`, async () => i);
    expect(cache.size).toBe(3);
    // The oldest went first.
    expect(await cache.get('k0', async () => 100)).toBe(100);
    expect(await cache.get('k4', async () => 100)).toBe(4);
    cache.delete('k4');
    expect(await cache.get('k4', async () => 200)).toBe(200);
  });
});
