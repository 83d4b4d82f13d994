import type { Services } from '../services.js';
import { Headers, sign } from './signature.js';
import { nextAttemptDelay, retryAfterMs } from './retry.js';
import { sentBody } from './render.js';
import type { WebhookFormat } from './webhook.entity.js';

interface ClaimedDelivery {
  id: string;
  event: string;
  attempts: number;
  body: unknown;
  action_id: string | null;
  format: WebhookFormat;
  endpoint_id: string;
  url: string;
  secret: string;
}

/** How an attempt went, as recorded in the delivery log. */
type Outcome =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string; retryAfter: number | null; interrupted: boolean };

const MAX_ERROR_LENGTH = 500;
const USER_AGENT = 'Countersign-Webhooks/1';

/**
 * Delivers the outbox. Any number of instances may run one: a delivery is claimed with
 * `FOR UPDATE SKIP LOCKED` in a single statement that also counts the attempt and leases
 * the row (its `next_attempt_at` moves past the request timeout), so no other instance
 * picks it up while this one is sending — yet the database connection is not held during
 * the HTTP request. If this instance dies mid-attempt, the lease runs out and another
 * instance (or the next start) retries it. Results are written only while the lease is
 * still ours: the attempt number is the fencing token.
 *
 * Delivery is at least once (a receiver may answer 2xx and the instance crash before
 * recording it); the `countersign-delivery` header carries the id receivers dedupe on.
 */
export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(private readonly services: Services) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming, interrupts the requests in flight (they are retried promptly elsewhere), and waits for their results to be written. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.shutdown.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const { concurrency, pollMs } = this.services.config.webhooks;
    while (this.running) {
      let claimed = 0;
      const free = concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          const batch = await this.claim(free);
          claimed = batch.length;
          for (const delivery of batch) this.track(this.attempt(delivery));
        } catch (error) {
          this.services.logger.error({ err: error }, 'could not claim webhook deliveries; retrying');
        }
      }
      // A full batch suggests more are due: claim again at once if there is room.
      if (claimed > 0 && claimed === free && this.inFlight.size < concurrency) continue;
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      // A slot is free: look for more work without waiting for the next poll.
      this.wake?.();
    });
  }

  /** Claims up to `limit` due deliveries of active endpoints, oldest due first. */
  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const { timeoutMs } = this.services.config.webhooks;
    const now = new Date();
    // Long enough for the request to time out and its result to be written.
    const leaseUntil = new Date(now.getTime() + 2 * timeoutMs + 10_000);
    return this.services.orm.em.fork().execute<ClaimedDelivery[]>(
      `update "notification_delivery" d set "attempts" = d."attempts" + 1, "next_attempt_at" = ?
         from (select n."id" from "notification_delivery" n
                where n."status" = 'PENDING' and n."next_attempt_at" <= ?
                order by n."next_attempt_at" limit ? for update skip locked) due,
              "webhook_endpoint" e
        where d."id" = due."id" and e."id" = d."endpoint_id" and e."active"
        returning d."id", d."event", d."attempts", d."body", d."action_id", e."format", e."id" as "endpoint_id", e."url", e."secret"`,
      [leaseUntil, now, limit],
    );
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.send(delivery);
    try {
      await this.record(delivery, outcome);
    } catch (error) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      this.services.logger.error({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt; it will be retried');
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<Outcome> {
    const { timeoutMs } = this.services.config.webhooks;
    const body = JSON.stringify(sentBody(delivery.format, delivery.body, delivery.action_id, this.services.config.publicUrl));
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [Headers.DELIVERY]: delivery.id,
          [Headers.IDEMPOTENCY_KEY]: delivery.id,
          [Headers.EVENT]: delivery.event,
          [Headers.TIMESTAMP]: String(timestamp),
          [Headers.SIGNATURE]: sign(delivery.secret, timestamp, body),
        },
        body,
        // A redirect is a failure: following it would send the signed body somewhere not registered.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.shutdown.signal]),
      });
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: true, statusCode: response.status };
      }
      const excerpt = await readExcerpt(response);
      return {
        ok: false,
        statusCode: response.status,
        error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
        retryAfter: retryAfterMs(response.headers.get('retry-after')),
        interrupted: false,
      };
    } catch (error) {
      const interrupted = this.shutdown.signal.aborted;
      return { ok: false, statusCode: null, error: describeFailure(error, timeoutMs, interrupted), retryAfter: null, interrupted };
    }
  }

  private async record(delivery: ClaimedDelivery, outcome: Outcome): Promise<void> {
    const { webhooks } = this.services.config;
    const em = this.services.orm.em.fork();
    const now = new Date();
    const log = { deliveryId: delivery.id, endpointId: delivery.endpoint_id, event: delivery.event, attempt: delivery.attempts };
    if (outcome.ok) {
      await em.execute(
        `update "notification_delivery" set "status" = 'DELIVERED', "delivered_at" = ?, "last_status_code" = ?
          where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [now, outcome.statusCode, delivery.id, delivery.attempts],
      );
      this.services.logger.debug({ ...log, statusCode: outcome.statusCode }, 'webhook delivered');
      return;
    }
    if (outcome.interrupted) {
      // Our own shutdown is not the receiver's failure: the attempt does not count, and any instance may retry at once.
      await em.execute(
        `update "notification_delivery" set "attempts" = "attempts" - 1, "next_attempt_at" = ?, "last_error" = ?
          where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [now, outcome.error, delivery.id, delivery.attempts],
      );
      return;
    }
    const error = outcome.error.slice(0, MAX_ERROR_LENGTH);
    if (delivery.attempts >= webhooks.maxAttempts) {
      await em.execute(
        `update "notification_delivery" set "status" = 'FAILED', "last_error" = ?, "last_status_code" = ?
          where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [error, outcome.statusCode, delivery.id, delivery.attempts],
      );
      this.services.logger.error({ ...log, statusCode: outcome.statusCode, error }, 'webhook delivery failed for good after its last attempt');
      return;
    }
    const delay = nextAttemptDelay(delivery.attempts, { baseMs: webhooks.backoffMs, maxMs: webhooks.backoffMaxMs, retryAfter: outcome.retryAfter });
    await em.execute(
      `update "notification_delivery" set "next_attempt_at" = ?, "last_error" = ?, "last_status_code" = ?
        where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
      [new Date(now.getTime() + delay), error, outcome.statusCode, delivery.id, delivery.attempts],
    );
    this.services.logger.warn({ ...log, statusCode: outcome.statusCode, error, retryInMs: delay }, 'webhook attempt failed; will retry');
  }
}

/** The start of an error response, for the delivery log (receivers often say what is wrong). */
async function readExcerpt(response: Response, max = 200): Promise<string> {
  try {
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    await reader.cancel().catch(() => undefined);
    const text = Buffer.concat(chunks).toString('utf8', 0, Math.min(size, max));
    return text.replace(/\s+/g, ' ').trim();
  } catch {
    return '';
  }
}

/**
 * A network failure in words, without the URL (an endpoint URL may itself be a secret,
 * like a Slack incoming-webhook URL).
 */
function describeFailure(error: unknown, timeoutMs: number, interrupted: boolean): string {
  if (interrupted) return 'interrupted: this server instance shut down during the attempt';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `connection failed: ${cause.code}`;
  if (cause?.message) return `request failed: ${cause.message}`;
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}
