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
