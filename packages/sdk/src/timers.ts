/**
 * Timers that honour an AbortSignal and durations longer than `setTimeout` allows.
 * Node fires a timer of more than 2^31-1 ms (about 24.8 days) after 1 ms instead, so a
 * long wait is split into shorter ones.
 */

const MAX_TIMER_MS = 2_147_483_647;

/** Calls `fn` once after `ms`; returns a function that cancels it. */
export function setLongTimeout(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const deadline = Date.now() + ms;
  const arm = (remaining: number) => {
    timer = setTimeout(() => {
      const left = deadline - Date.now();
      if (left > 0) arm(left);
      else fn();
    }, Math.min(remaining, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = setLongTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal that aborts when any of `sources` does, with the reason of the first, and a
 * `release` that detaches it from them. `AbortSignal.any` would do, but on Node 20 every
 * composite it makes stays attached to a long-lived source (the client's lifetime, a
 * caller's shutdown signal) for good: a leak in a process that makes calls for weeks.
 */
export function linkSignals(sources: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const present = sources.filter((source): source is AbortSignal => source !== undefined);
  const aborted = present.find((source) => source.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return { signal: controller.signal, release() {} };
  }
  const detach = present.map((source) => {
    const onAbort = () => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    return () => source.removeEventListener('abort', onAbort);
  });
  return {
    signal: controller.signal,
    release() {
      for (const off of detach) off();
    },
  };
}
