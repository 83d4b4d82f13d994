import { describe, expect, it } from 'vitest';
import { PollLoop } from './poll-loop.js';

describe('PollLoop', () => {
  it('runs the tick again after the pause it answers, at once on 0, and sooner when woken', async () => {
    const ticks: number[] = [];
    let release: (() => void) | null = null;
    const third = new Promise<void>((resolve) => (release = resolve));
    const loop = new PollLoop(async () => {
      ticks.push(ticks.length);
      if (ticks.length === 3) release!();
      // The first tick asks to go on at once; later ones ask for an hour.
      return ticks.length === 1 ? 0 : 3_600_000;
    });
    loop.start();
    // Two ticks ran without waiting; the third only because of wake().
    while (ticks.length < 2) await new Promise((r) => setImmediate(r));
    loop.wake();
    await third;
    expect(ticks).toEqual([0, 1, 2]);
    expect(loop.running).toBe(true);
    await loop.stop();
    expect(loop.running).toBe(false);
  });

  it('stop() ends an hour-long pause at once and waits for the tick under way', async () => {
    let finished = false;
    let started: (() => void) | null = null;
    const inTick = new Promise<void>((resolve) => (started = resolve));
    const loop = new PollLoop(async () => {
      started!();
      await new Promise((r) => setImmediate(r));
      finished = true;
      return 3_600_000;
    });
    loop.start();
    await inTick;
    await loop.stop();
    expect(finished).toBe(true);
  });
});
