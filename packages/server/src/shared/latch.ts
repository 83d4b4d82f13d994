/** How a {@link Latch} settled. */
export type Settlement<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A value that many waiters need at the same moment, handed to all of them in one loop
 * when it is ready.
 *
 * A promise calls each of its `then` callbacks as a microtask of its own, with a promise
 * made for each (and, on Node 20 once an AsyncLocalStorage has run, an async-hook call
 * for each): a subscription event for a thousand subscribers climbs a thousand chains of
 * them, and the first of them is sent only after every chain has made its first steps.
 * A latch calls its waiters synchronously, in the order they came, when it settles — or at
 * once when it already has — so a ready result reaches every waiter in one pass.
 *
 * Waiters must not throw: one that does is reported after the others have been called.
 */
export class Latch<T> {
  private settlement?: Settlement<T>;
  private waiters: ((settlement: Settlement<T>) => void)[] | undefined = [];

  /** A latch that settles with `value` (a promise settles it when it settles; anything else at once). */
  static of<T>(value: T | PromiseLike<T>): Latch<T> {
    const latch = new Latch<T>();
    if (isPromiseLike(value)) {
      value.then(
        (resolved) => latch.settle({ ok: true, value: resolved }),
        (error: unknown) => latch.settle({ ok: false, error }),
      );
    } else {
      latch.settle({ ok: true, value });
    }
    return latch;
  }

  /** Settles the latch (a second settlement is ignored) and calls every waiter with it. */
  settle(settlement: Settlement<T>): void {
    if (this.settlement) return;
    this.settlement = settlement;
    const waiters = this.waiters!;
    this.waiters = undefined;
    let failure: { error: unknown } | undefined;
    for (const waiter of waiters) {
      try {
        waiter(settlement);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Calls `waiter` with the settlement: now if settled, otherwise when it settles. */
  on(waiter: (settlement: Settlement<T>) => void): void {
    if (this.settlement) waiter(this.settlement);
    else this.waiters!.push(waiter);
  }

  /**
   * A latch of `next` applied to the value (or `recover` to the error; without it the
   * error passes through). Either may answer a latch, which is waited for in turn; a throw
   * settles the new latch with the error.
   */
  map<U>(next: (value: T) => U | Latch<U>, recover?: (error: unknown) => U | Latch<U>): Latch<U> {
    const mapped = new Latch<U>();
    this.on((settlement) => {
      if (!settlement.ok && !recover) return mapped.settle(settlement);
      let result: U | Latch<U>;
      try {
        result = settlement.ok ? next(settlement.value) : recover!(settlement.error);
      } catch (error) {
        return mapped.settle({ ok: false, error });
      }
      if (result instanceof Latch) result.on((inner) => mapped.settle(inner));
      else mapped.settle({ ok: true, value: result });
    });
    return mapped;
  }

  /** The value as a promise, for code that awaits. */
  promise(): Promise<T> {
    return new Promise((resolve, reject) => this.on((s) => (s.ok ? resolve(s.value) : reject(s.error))));
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
