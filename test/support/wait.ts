/**
 * Polls `check` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` with the last error. Tests wait for events with this, never with fixed sleeps.
 */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
