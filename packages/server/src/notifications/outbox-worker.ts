import type { Services } from '../services.js';
import type { SqlExecutor } from '../db/sql.js';
import type { WebhookConfig } from '../config.js';
import { isDatabaseUnavailable } from '../db/faults.js';
import { nextAttemptDelay } from './retry.js';
import { PollLoop } from '../shared/poll-loop.js';

/** How often to look again while the database is unavailable. */
const OUTAGE_POLL_MS = 1000;
const MAX_ERROR_LENGTH = 500;

/** A delivery as claimed: its id, and the attempt number that fences what is written about it. */
export interface ClaimedRow {
  id: string;
  attempts: number;
}

/** What one channel of the outbox (webhooks, email, Slack) does; {@link OutboxWorker} runs it. */
export interface OutboxChannel<T extends ClaimedRow> {
  /** In log lines: "webhook", "mail", "Slack". */
  readonly name: string;
  /**
   * Claims up to `limit` due deliveries with `FOR UPDATE SKIP LOCKED` in one statement that
   * counts the attempt and leases the row, so no other instance sends it meanwhile.
   */
  claim(limit: number): Promise<T[]>;
  /** Sends one claimed delivery and records how it went (see {@link recordAttempt}); `signal` ends at shutdown. */
  attempt(delivery: T, signal: AbortSignal): Promise<void>;
  /** Done before each claim (e.g. renewing a lease); its failures count like a claim's. */
  beforeClaim?(): Promise<void>;
}

/**
 * Runs one outbox channel on this instance: claims what is due, up to the configured
 * concurrency, sends each without holding a database connection, and claims again as soon
 * as a slot frees. Any number of instances may run the same channel (the claim's lease
 * keeps them apart); while the database is unavailable it waits at a slower pace and logs
 * the outage once. `stop` interrupts the attempts in flight and waits for their results.
 */
export class OutboxWorker<T extends ClaimedRow> {
  private readonly loop = new PollLoop(() => this.tick());
  private outage = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly services: Services,
    private readonly channel: OutboxChannel<T>,
  ) {}

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    const stopping = this.loop.stop();
    this.shutdown.abort();
    await stopping;
    await Promise.allSettled([...this.inFlight]);
  }

  /** One claim; the pause before the next. */
  private async tick(): Promise<number> {
    const { concurrency, pollMs } = this.services.config.webhooks;
    const { logger } = this.services;
    const name = this.channel.name;
    let claimed = 0;
    let pause = pollMs;
    const free = concurrency - this.inFlight.size;
    try {
      await this.channel.beforeClaim?.();
      if (free > 0) {
        const batch = await this.channel.claim(free);
        claimed = batch.length;
        for (const delivery of batch) this.track(this.attempt(delivery));
      }
      if (this.outage) logger.info(`the database is back: ${name} deliveries resume`);
      this.outage = false;
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // One line per outage, and a slower pace until it ends.
        if (!this.outage) logger.warn({ err: error }, `the database is unavailable: ${name} deliveries wait for it`);
        this.outage = true;
        pause = Math.max(pollMs, OUTAGE_POLL_MS);
      } else logger.error({ err: error }, `could not claim ${name} deliveries; retrying`);
    }
    // A full batch suggests more are due: claim again at once if there is room.
    return claimed > 0 && claimed === free && this.inFlight.size < concurrency ? 0 : pause;
  }

  private async attempt(delivery: T): Promise<void> {
    try {
      await this.channel.attempt(delivery, this.shutdown.signal);
    } catch (error) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      this.services.logger.error({ err: error, deliveryId: delivery.id }, `could not record a ${this.channel.name} attempt; it will be retried`);
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      // A slot is free: look for more work without waiting for the next poll.
      this.loop.wake();
    });
  }
}

/** How an attempt went, as the delivery log records it. */
export type AttemptResult =
  | { kind: 'delivered'; statusCode?: number | null; note?: string | null }
  /** This instance shut down mid-attempt: not the receiver's failure; the attempt does not count. */
  | { kind: 'interrupted'; error: string }
  | { kind: 'failed'; error: string; statusCode?: number | null; permanent: boolean; retryAfterMs: number | null };

/** What {@link recordAttempt} did: for the caller's own log line. */
export type Recorded = { kind: 'delivered' } | { kind: 'interrupted' } | { kind: 'failed'; error: string } | { kind: 'retry'; error: string; retryInMs: number };

/** An outbox table and whether it keeps the receiver's status code. */
export interface OutboxTable {
  name: 'notification_delivery' | 'slack_delivery';
  statusCode: boolean;
}

/**
 * Writes how an attempt went, only while the lease is still ours (the attempt number fences
 * it): delivered; interrupted (given back, due at once); failed for good (refused for good,
 * or its last attempt); or due again after the backoff (retry.ts, COUNTERSIGN_WEBHOOK_*).
 */
export async function recordAttempt(sql: SqlExecutor, table: OutboxTable, delivery: ClaimedRow, result: AttemptResult, settings: WebhookConfig): Promise<Recorded> {
  const now = new Date();
  const fence = `where "id" = ? and "attempts" = ? and "status" = 'PENDING'`;
  const code = (value: number | null | undefined) => (table.statusCode ? [value ?? null] : []);
  const codeSet = table.statusCode ? ', "last_status_code" = ?' : '';
  switch (result.kind) {
    case 'delivered':
      {
        // A note (why nothing was sent) replaces the last error; without one, the log keeps it.
        const noted = result.note !== undefined;
        await sql.execute(
          `update "${table.name}" set "status" = 'DELIVERED', "delivered_at" = ?${noted ? ', "last_error" = ?' : ''}${codeSet} ${fence}`,
          [now, ...(noted ? [result.note] : []), ...code(result.statusCode), delivery.id, delivery.attempts],
        );
      }
      return { kind: 'delivered' };
    case 'interrupted':
      await sql.execute(
        `update "${table.name}" set "attempts" = "attempts" - 1, "next_attempt_at" = ?, "last_error" = ? ${fence}`,
        [now, result.error, delivery.id, delivery.attempts],
      );
      return { kind: 'interrupted' };
    case 'failed': {
      const error = result.error.slice(0, MAX_ERROR_LENGTH);
      if (result.permanent || delivery.attempts >= settings.maxAttempts) {
        await sql.execute(
          `update "${table.name}" set "status" = 'FAILED', "last_error" = ?${codeSet} ${fence}`,
          [error, ...code(result.statusCode), delivery.id, delivery.attempts],
        );
        return { kind: 'failed', error };
      }
      const retryInMs = nextAttemptDelay(delivery.attempts, { baseMs: settings.backoffMs, maxMs: settings.backoffMaxMs, retryAfter: result.retryAfterMs });
      await sql.execute(
        `update "${table.name}" set "next_attempt_at" = ?, "last_error" = ?${codeSet} ${fence}`,
        [new Date(now.getTime() + retryInMs), error, ...code(result.statusCode), delivery.id, delivery.attempts],
      );
      return { kind: 'retry', error, retryInMs };
    }
  }
}
