import type { Services } from '../../services.js';
import type { EmailConfig } from '../../config.js';
import { OutboxWorker, recordAttempt, type AttemptResult, type OutboxChannel } from '../outbox-worker.js';
import { Mailer } from './mailer.js';
import { writeDigestMail, writeEventMail, type DigestBody, type MailContent } from './message.js';
import { EMAIL_CHANNEL } from './plan.js';
import { verpAddress } from './bounces/address.js';

/** How long the email channel counts as live after an instance renews it, and how often it does. */
const LEASE_SECONDS = 300;
const RENEW_MS = 60_000;

interface ClaimedMail {
  id: string;
  event: string;
  attempts: number;
  body: unknown;
  action_id: string | null;
  approver_id: string;
  name: string;
  email: string | null;
  active: boolean;
}

const TABLE = { name: 'notification_delivery', statusCode: true } as const;

/**
 * Sends the outbox's EMAIL deliveries (run by OutboxWorker, as webhooks are) with the same
 * guarantees: any number of instances claim due rows, the claim counts the attempt and
 * leases the row past the SMTP timeouts, results are written only while the lease is ours
 * (the attempt number fences), and a failure is retried with the webhooks' backoff
 * (retry.ts, COUNTERSIGN_WEBHOOK_* settings) — at once FAILED when the SMTP server refused
 * for good (5xx). At least once: a mail the server accepted just before this instance died
 * is sent again, with the same Message-ID (`<delivery id@domain>`) for mail systems and
 * readers to recognise the copy.
 *
 * The mail is written when it is sent, from the body stored with the event (message.ts),
 * to the approver's address as it is then.
 *
 * While it runs, it keeps the email channel's lease live (`notification_channel`), which
 * is what makes the outbox plan mail at all (plan.ts).
 */
export class EmailWorker {
  private readonly channel: EmailChannel;
  private readonly worker: OutboxWorker<ClaimedMail>;

  constructor(services: Services, config: EmailConfig) {
    this.channel = new EmailChannel(services, config);
    this.worker = new OutboxWorker(services, this.channel);
  }

  /** Renews the channel's lease (so mail is planned from now on), then sends in the background. */
  async start(): Promise<void> {
    await this.channel.renewLease();
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    this.channel.close();
  }
}

class EmailChannel implements OutboxChannel<ClaimedMail> {
  readonly name = 'mail';
  private readonly mailer: Mailer;
  private renewedAt = 0;
  private readonly bounceAddress: string | null;

  constructor(private readonly services: Services, config: EmailConfig) {
    this.mailer = new Mailer(config, services.config.webhooks.timeoutMs);
    this.bounceAddress = config.bounceAddress;
  }

  close(): void {
    this.mailer.close();
  }

  async beforeClaim(): Promise<void> {
    if (Date.now() - this.renewedAt >= RENEW_MS) await this.renewLease();
  }

  async renewLease(): Promise<void> {
    await this.services.sql.execute(
      `insert into "notification_channel" ("name", "live_until") values (?, now() + make_interval(secs => ?))
       on conflict ("name") do update set "live_until" = greatest("notification_channel"."live_until", excluded."live_until")`,
      [EMAIL_CHANNEL, LEASE_SECONDS],
    );
    this.renewedAt = Date.now();
  }

  claim(limit: number): Promise<ClaimedMail[]> {
    const { timeoutMs } = this.services.config.webhooks;
    const now = new Date();
    // Long enough for the SMTP conversation's timeouts (connect, greeting, each reply) and the result's write.
    const leaseUntil = new Date(now.getTime() + 3 * timeoutMs + 10_000);
    return this.services.sql.execute<ClaimedMail[]>(
      `update "notification_delivery" d set "attempts" = d."attempts" + 1, "next_attempt_at" = ?
         from (select n."id" from "notification_delivery" n
                where n."channel" = 'EMAIL' and n."status" = 'PENDING' and n."next_attempt_at" <= ?
                order by n."next_attempt_at" limit ? for update skip locked) due,
              "approver" ap
        where d."id" = due."id" and ap."id" = d."approver_id"
        returning d."id", d."event", d."attempts", d."body", d."action_id", ap."id" as "approver_id", ap."name", ap."email", ap."active"`,
      [leaseUntil, now, limit],
    );
  }

  async attempt(mail: ClaimedMail, shutdown: AbortSignal): Promise<void> {
    const result = await this.send(mail, shutdown);
    const recorded = await recordAttempt(this.services.sql, TABLE, mail, result, this.services.config.webhooks);
    const { logger } = this.services;
    const log = { deliveryId: mail.id, channel: 'EMAIL', event: mail.event, attempt: mail.attempts, code: 'statusCode' in result ? result.statusCode : undefined };
    if (recorded.kind === 'delivered') logger.debug(log, 'mail sent');
    else if (recorded.kind === 'failed') logger.error({ ...log, error: recorded.error }, result.kind === 'failed' && result.permanent ? 'mail refused for good; not retried' : 'mail failed for good after its last attempt');
    else if (recorded.kind === 'retry') logger.warn({ ...log, error: recorded.error, retryInMs: recorded.retryInMs }, 'mail attempt failed; will retry');
  }

  private async send(mail: ClaimedMail, shutdown: AbortSignal): Promise<AttemptResult> {
    if (!mail.active || !mail.email) {
      return failedFor(mail.active ? 'the approver has no email address any more' : 'the approver was deactivated');
    }
    const publicUrl = this.services.config.publicUrl!;
    const body = typeof mail.body === 'string' ? JSON.parse(mail.body) as unknown : mail.body;
    let content: MailContent;
    try {
      const options = { publicUrl, now: new Date() };
      content = mail.event === 'DIGEST' ? writeDigestMail(body as DigestBody, mail.name, options) : writeEventMail(body, mail.name, options);
    } catch (error) {
      this.services.logger.error({ err: error, deliveryId: mail.id }, 'could not write a mail from its stored body');
      return failedFor('the stored notification could not be written as a mail');
    }
    const domain = this.mailer.domain;
    const outcome = await this.mailer.send({
      to: { name: mail.name, address: mail.email },
      content,
      messageId: `<${mail.id}@${domain}>`,
      // Bounces come back to an address naming the delivery (bounces/address.ts).
      envelopeFrom: this.bounceAddress ? verpAddress(this.bounceAddress, mail.id) : undefined,
      references: mail.action_id ? [`<action-${mail.action_id}@${domain}>`] : [],
      headers: {
        'X-Countersign-Delivery': mail.id,
        'X-Countersign-Event': mail.event,
        // RFC 3834: a machine wrote it; out-of-office replies stay away.
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    }, shutdown);
    if (outcome.ok) return { kind: 'delivered', statusCode: outcome.code };
    if (shutdown.aborted) return { kind: 'interrupted', error: 'interrupted: this server instance shut down during the attempt' };
    return { kind: 'failed', statusCode: outcome.code, error: outcome.error, permanent: outcome.permanent, retryAfterMs: null };
  }
}

/** A mail that cannot be sent whatever is tried again. */
function failedFor(error: string): AttemptResult {
  return { kind: 'failed', statusCode: null, error, permanent: true, retryAfterMs: null };
}
