import http from 'node:http';
import https from 'node:https';
import type { Services } from '../services.js';
import { PrivateDestinationError, isIpLiteral, isPublicAddress, publicOnlyLookup } from './destination.js';
import { Headers, sign } from './signature.js';
import { nextAttemptDelay, retryAfterMs } from './retry.js';
import { isDatabaseUnavailable } from '../db/faults.js';
import { secretContext } from '../secrets/at-rest.js';

/** How often to look again while the database is unavailable. */
const OUTAGE_POLL_MS = 1000;
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
  /** Encrypted (secrets/secret-box.ts); opened only to sign. */
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
  /** Whether the last claim met an unavailable database. */
  private outage = false;
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
      let pause = pollMs;
      const free = concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          const batch = await this.claim(free);
          claimed = batch.length;
          for (const delivery of batch) this.track(this.attempt(delivery));
          if (this.outage) this.services.logger.info('the database is back: webhook deliveries resume');
          this.outage = false;
        } catch (error) {
          if (isDatabaseUnavailable(error)) {
            // One line per outage, and a slower pace until it ends.
            if (!this.outage) this.services.logger.warn({ err: error }, 'the database is unavailable: webhook deliveries wait for it');
            this.outage = true;
            pause = Math.max(pollMs, OUTAGE_POLL_MS);
          } else this.services.logger.error({ err: error }, 'could not claim webhook deliveries; retrying');
        }
      }
      // A full batch suggests more are due: claim again at once if there is room.
      if (claimed > 0 && claimed === free && this.inFlight.size < concurrency) continue;
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, pause);
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
                where n."channel" = 'WEBHOOK' and n."status" = 'PENDING' and n."next_attempt_at" <= ?
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
    const { timeoutMs, allowPrivate } = this.services.config.webhooks;
    const body = JSON.stringify(sentBody(delivery.format, delivery.body, delivery.action_id, this.services.config.publicUrl));
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const url = new URL(delivery.url);
      // Checked again at every attempt: an endpoint registered while private addresses were
      // allowed, or whose name now resolves elsewhere, is not reached.
      if (!allowPrivate && isIpLiteral(url.hostname) && !isPublicAddress(url.hostname)) throw new PrivateDestinationError(url.hostname, url.hostname);
      const response = await post(url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [Headers.DELIVERY]: delivery.id,
          [Headers.IDEMPOTENCY_KEY]: delivery.id,
          [Headers.EVENT]: delivery.event,
          [Headers.TIMESTAMP]: String(timestamp),
          [Headers.SIGNATURE]: sign(this.services.secrets.open(delivery.secret, secretContext.webhook(delivery.endpoint_id)), timestamp, body),
        },
        // The connection goes to the addresses this lookup checked, never to a second answer.
        lookup: allowPrivate ? undefined : publicOnlyLookup,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.shutdown.signal]),
      });
      // A redirect (3xx) is a failure: following it would send the signed body somewhere not registered.
      if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
      return {
        ok: false,
        statusCode: response.status,
        // The status line only: a receiver's answer (an internal service's error page) is never stored or logged.
        error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        retryAfter: retryAfterMs(response.retryAfter),
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

interface Answer {
  status: number;
  /** The reason phrase of the status line, made printable and short. */
  statusText: string;
  retryAfter: string | null;
}

/**
 * POSTs `body` and answers the status line; the response body is not read (the socket is
 * closed at once), so a receiver's answer can neither fill memory nor end up in the log.
 */
function post(url: URL, body: string, options: { headers: Record<string, string>; lookup?: typeof publicOnlyLookup; signal: AbortSignal }): Promise<Answer> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...options.headers, 'content-length': Buffer.byteLength(body) }, lookup: options.lookup, signal: options.signal, agent: false },
      (res) => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          statusText: (res.statusMessage ?? '').replace(/[^\x20-\x7e]/g, '').trim().slice(0, 100),
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
        });
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A network failure in words, without the URL (an endpoint URL may itself be a secret,
 * like a Slack incoming-webhook URL).
 */
function describeFailure(error: unknown, timeoutMs: number, interrupted: boolean): string {
  if (interrupted) return 'interrupted: this server instance shut down during the attempt';
  if (error instanceof PrivateDestinationError) return `refused: ${error.message} (set COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE=true to allow private addresses)`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return `connection failed: ${code}`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `connection failed: ${cause.code}`;
  if (cause?.message) return `request failed: ${cause.message}`;
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}
