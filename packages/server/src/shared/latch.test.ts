import { describe, expect, it } from 'vitest';
import { Latch } from './latch.js';

describe('a latch', () => {
  it('calls every waiter in the order they came, in the pass that settles it, and a later one at once', async () => {
    let resolve!: (value: string) => void;
    const latch = Latch.of(new Promise<string>((r) => (resolve = r)));
    const calls: string[] = [];
    for (const name of ['a', 'b', 'c']) latch.on((s) => calls.push(`${name}:${s.ok ? s.value : 'failed'}`));
    expect(calls).toEqual([]);
    resolve('ready');
    // One microtask later (the promise's own callback), all three have been called, with nothing between them.
    await Promise.resolve();
    expect(calls).toEqual(['a:ready', 'b:ready', 'c:ready']);
    latch.on((s) => calls.push(`late:${s.ok ? s.value : 'failed'}`));
    expect(calls.at(-1)).toBe('late:ready');
  });

  it('settles at once from a plain value, and only once', () => {
    const latch = Latch.of(1);
    latch.settle({ ok: true, value: 2 });
    let seen: unknown;
    latch.on((s) => (seen = s));
    expect(seen).toEqual({ ok: true, value: 1 });
  });

  it('maps values, waits for a latch a mapping answers, and passes failures through unless recovered', async () => {
    const inner = new Latch<number>();
    const mapped = Latch.of(2).map((n) => inner.map((m) => n * m));
    const failed = Latch.of(Promise.reject(new Error('read failed')));
    const passed = failed.map(() => 'never');
    const recovered = failed.map(() => 'never', (error) => `recovered from ${(error as Error).message}`);
    const thrown = Latch.of(1).map(() => {
      throw new Error('mapping threw');
    });
    inner.settle({ ok: true, value: 21 });
    await expect(mapped.promise()).resolves.toBe(42);
    await expect(passed.promise()).rejects.toThrow('read failed');
    await expect(recovered.promise()).resolves.toBe('recovered from read failed');
    await expect(thrown.promise()).rejects.toThrow('mapping threw');
  });

  it('calls the waiters after one that throws, then reports the throw', () => {
    const latch = new Latch<string>();
    const calls: string[] = [];
    latch.on(() => calls.push('first'));
    latch.on(() => {
      throw new Error('waiter broke');
    });
    latch.on(() => calls.push('third'));
    expect(() => latch.settle({ ok: true, value: 'x' })).toThrow('waiter broke');
    expect(calls).toEqual(['first', 'third']);
  });
});
