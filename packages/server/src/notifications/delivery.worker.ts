import http from 'node:http';
import https from 'node:https';
import type { Services } from '../services.js';
import { PrivateDestinationError, isIpLiteral, isPublicAddress, publicOnlyLookup } from './destination.js';
import { Headers, sign } from './signature.js';
import { retryAfterMs } from './retry.js';
import { secretContext } from '../secrets/at-rest.js';
import { sentBody } from './render.js';
import type { WebhookFormat } from './webhook.entity.js';
import { OutboxWorker, recordAttempt, type AttemptResult, type OutboxChannel } from './outbox-worker.js';

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

const USER_AGENT = 'Countersign-Webhooks/1';
const TABLE = { name: 'notification_delivery', statusCode: true } as const;

/**
 * Delivers the outbox's webhooks (run by OutboxWorker, which any number of instances may
 * run): a delivery is claimed in a single statement that also counts the attempt and leases
 * the row (its `next_attempt_at` moves past the request timeout), so no other instance
 * picks it up while this one is sending — yet the database connection is not held during
 * the HTTP request. If this instance dies mid-attempt, the lease runs out and another
 * instance (or the next start) retries it. Results are written only while the lease is
 * still ours: the attempt number is the fencing token.
 *
 * Delivery is at least once (a receiver may answer 2xx and the instance crash before
 * recording it); the `countersign-delivery` header carries the id receivers dedupe on.
 */
export function webhookWorker(services: Services): OutboxWorker<ClaimedDelivery> {
  return new OutboxWorker(services, new WebhookChannel(services));
}

class WebhookChannel implements OutboxChannel<ClaimedDelivery> {
  readonly name = 'webhook';

  constructor(private readonly services: Services) {}

  /** Claims up to `limit` due deliveries of active endpoints, oldest due first. */
  claim(limit: number): Promise<ClaimedDelivery[]> {
    const { timeoutMs } = this.services.config.webhooks;
    const now = new Date();
    // Long enough for the request to time out and its result to be written.
    const leaseUntil = new Date(now.getTime() + 2 * timeoutMs + 10_000);
    return this.services.sql.execute<ClaimedDelivery[]>(
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

  async attempt(delivery: ClaimedDelivery, shutdown: AbortSignal): Promise<void> {
    const result = await this.send(delivery, shutdown);
    const recorded = await recordAttempt(this.services.sql, TABLE, delivery, result, this.services.config.webhooks);
    const { logger } = this.services;
    const log = { deliveryId: delivery.id, endpointId: delivery.endpoint_id, event: delivery.event, attempt: delivery.attempts, statusCode: 'statusCode' in result ? result.statusCode : undefined };
    if (recorded.kind === 'delivered') logger.debug(log, 'webhook delivered');
    else if (recorded.kind === 'failed') logger.error({ ...log, error: recorded.error }, 'webhook delivery failed for good after its last attempt');
    else if (recorded.kind === 'retry') logger.warn({ ...log, error: recorded.error, retryInMs: recorded.retryInMs }, 'webhook attempt failed; will retry');
  }

  private async send(delivery: ClaimedDelivery, shutdown: AbortSignal): Promise<AttemptResult> {
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
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), shutdown]),
      });
      // A redirect (3xx) is a failure: following it would send the signed body somewhere not registered.
      if (response.status >= 200 && response.status < 300) return { kind: 'delivered', statusCode: response.status };
      return {
        kind: 'failed',
        statusCode: response.status,
        // The status line only: a receiver's answer (an internal service's error page) is never stored or logged.
        error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        retryAfterMs: retryAfterMs(response.retryAfter),
        permanent: false,
      };
    } catch (error) {
      if (shutdown.aborted) return { kind: 'interrupted', error: describeFailure(error, timeoutMs, true) };
      return { kind: 'failed', statusCode: null, error: describeFailure(error, timeoutMs, false), retryAfterMs: null, permanent: false };
    }
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
