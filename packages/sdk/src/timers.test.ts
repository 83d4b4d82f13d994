import { describe, expect, it } from 'vitest';
import { linkSignals, setLongTimeout, sleep } from './timers.js';

describe('linkSignals', () => {
  it('aborts with the reason of the first source to abort', () => {
    const a = new AbortController();
    const b = new AbortController();
    const { signal } = linkSignals([a.signal, undefined, b.signal]);
    b.abort('second');
    a.abort('first');
    expect(signal.reason).toBe('second');
  });

  it('starts aborted when a source already is', () => {
    const a = new AbortController();
    a.abort('gone');
    expect(linkSignals([a.signal]).signal).toMatchObject({ aborted: true, reason: 'gone' });
  });

  it('lets go of its sources on release, so a long-lived source does not collect listeners', () => {
    const lifetime = new AbortController();
    const { signal, release } = linkSignals([lifetime.signal]);
    release();
    lifetime.abort();
    expect(signal.aborted).toBe(false);
  });
});

describe('sleep and setLongTimeout', () => {
  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const sleeping = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });

  it('setLongTimeout can be cancelled before it fires', async () => {
    let fired = false;
    const cancel = setLongTimeout(() => (fired = true), 5);
    cancel();
    await sleep(20);
    expect(fired).toBe(false);
  });
});
