/**
 * A push-to-pull bridge for one subscriber with a bounded buffer. Events arrive from the
 * bus whenever they happen; the subscriber pulls them as fast as its connection allows.
 * When it falls `limit` events behind, `onOverflow` runs (the caller drops that client)
 * and the stream ends — one slow reader never holds memory or slows anyone else down.
 */
export class BoundedStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private done = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {}

  /** Runs when the stream ends, however it ends (unsubscribe from the bus here). */
  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.limit) {
      this.close();
      this.onOverflow();
      return;
    }
    this.buffer.push(value);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.buffer.length = 0;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
