/**
 * Agents' baselines (DESIGN §4 `agent.baseline`), reused for a few seconds across requests.
 *
 * A baseline folds up to 200 of an agent's requests into rates and percentiles; it is the
 * most expensive part of an approver's context, and
 * every page and `show` of a busy queue asks again for the same few agents. It moves
 * slowly: one more request or decision shifts a rate over up to 200 by a fraction.
 *
 * Staleness bound: a baseline shown is at most {@link BASELINE_TTL_MS} older than the
 * database it was read from (the age counts from when its read started, not when it
 * finished), so a decision or request is reflected in every baseline at most that long
 * after it commits. Nothing else in an approver's context is cached: the request itself,
 * its decisions, the agent's recent requests and the precedent are read fresh each time.
 */
export const BASELINE_TTL_MS = 3_000;

/** Entries kept at most; the oldest go first beyond that. */
export const BASELINE_CACHE_SIZE = 10_000;

interface Entry<V> {
  /** When the read that produced it started. */
  since: number;
  value: Promise<V>;
}

/** A small read-through cache with a time bound, sharing reads in flight. */
export class TimedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value for `key` read at most ttlMs ago, or `load()`'s (shared with concurrent callers). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.since < this.ttlMs) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    const entry: Entry<V> = { since: now, value };
    this.entries.set(key, entry);
    // A failed read is not kept: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) this.evict(now);
    return value;
  }

  /** Forgets `key` (its next read goes to the database). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.since >= this.ttlMs) this.entries.delete(key);
    }
    // Still full of fresh entries: drop the oldest (Map iterates in insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

const caches = new WeakMap<object, TimedCache<unknown>>();

/** The baseline cache of one server (keyed by its services, so two servers in a process never share one). */
export function baselineCache<V>(owner: object): TimedCache<V> {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new TimedCache<unknown>(BASELINE_TTL_MS, BASELINE_CACHE_SIZE);
    caches.set(owner, cache);
  }
  return cache as TimedCache<V>;
}
