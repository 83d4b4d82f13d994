import type { Services } from '../../services.js';
import type { EmailConfig } from '../../config.js';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { nextAttemptDelay } from '../retry.js';
import { Mailer, type SendOutcome } from './mailer.js';
import { writeDigestMail, writeEventMail, type DigestBody, type MailContent } from './message.js';
import { EMAIL_CHANNEL } from './plan.js';

/** How often to look again while the database is unavailable. */
const OUTAGE_POLL_MS = 1000;
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

type Outcome = SendOutcome | { ok: false; interrupted: true; error: string };

/**
 * Sends the outbox's EMAIL deliveries, as DeliveryWorker sends webhooks and with the same
 * guarantees: any number of instances claim due rows with `FOR UPDATE SKIP LOCKED`, the
 * claim counts the attempt and leases the row past the SMTP timeouts, results are written
 * only while the lease is ours (the attempt number fences), and a failure is retried with
 * the webhooks' backoff (retry.ts, COUNTERSIGN_WEBHOOK_* settings) — at once FAILED when
 * the SMTP server refused for good (5xx). At least once: a mail the server accepted just
 * before this instance died is sent again, with the same Message-ID (`<delivery id@domain>`)
 * for mail systems and readers to recognise the copy.
 *
 * The mail is written when it is sent, from the body stored with the event (message.ts),
 * to the approver's address as it is then.
 *
 * While it runs, it keeps the email channel's lease live (`notification_channel`), which
 * is what makes the outbox plan mail at all (plan.ts).
 */
export class EmailWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private outage = false;
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly mailer: Mailer;
  private renewedAt = 0;

  constructor(private readonly services: Services, private readonly config: EmailConfig) {
    this.mailer = new Mailer(config, services.config.webhooks.timeoutMs);
  }

  /** Renews the channel's lease (so mail is planned from now on), then sends in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.renewLease();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.shutdown.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    this.mailer.close();
  }

  private async renewLease(): Promise<void> {
    await this.services.sql.execute(
      `insert into "notification_channel" ("name", "live_until") values (?, now() + make_interval(secs => ?))
       on conflict ("name") do update set "live_until" = greatest("notification_channel"."live_until", excluded."live_until")`,
      [EMAIL_CHANNEL, LEASE_SECONDS],
    );
    this.renewedAt = Date.now();
  }

  private async run(): Promise<void> {
    const { concurrency, pollMs } = this.services.config.webhooks;
    while (this.running) {
      let claimed = 0;
      let pause = pollMs;
      const free = concurrency - this.inFlight.size;
      try {
        if (Date.now() - this.renewedAt >= RENEW_MS) await this.renewLease();
        if (free > 0) {
          const batch = await this.claim(free);
          claimed = batch.length;
          for (const mail of batch) this.track(this.attempt(mail));
        }
        if (this.outage) this.services.logger.info('the database is back: mail deliveries resume');
        this.outage = false;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          if (!this.outage) this.services.logger.warn({ err: error }, 'the database is unavailable: mail deliveries wait for it');
          this.outage = true;
          pause = Math.max(pollMs, OUTAGE_POLL_MS);
        } else this.services.logger.error({ err: error }, 'could not claim mail deliveries; retrying');
      }
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
      this.wake?.();
    });
  }

  private claim(limit: number): Promise<ClaimedMail[]> {
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

  private async attempt(mail: ClaimedMail): Promise<void> {
    const outcome = await this.send(mail);
    try {
      await this.record(mail, outcome);
    } catch (error) {
      this.services.logger.error({ err: error, deliveryId: mail.id }, 'could not record a mail attempt; it will be retried');
    }
  }

  private async send(mail: ClaimedMail): Promise<Outcome> {
    if (!mail.active || !mail.email) {
      return { ok: false, permanent: true, code: null, error: mail.active ? 'the approver has no email address any more' : 'the approver was deactivated' };
    }
    const publicUrl = this.services.config.publicUrl!;
    const body = typeof mail.body === 'string' ? JSON.parse(mail.body) as unknown : mail.body;
    let content: MailContent;
    try {
      const options = { publicUrl, now: new Date() };
      content = mail.event === 'DIGEST' ? writeDigestMail(body as DigestBody, mail.name, options) : writeEventMail(body, mail.name, options);
    } catch (error) {
      this.services.logger.error({ err: error, deliveryId: mail.id }, 'could not write a mail from its stored body');
      return { ok: false, permanent: true, code: null, error: 'the stored notification could not be written as a mail' };
    }
    const domain = this.mailer.domain;
    const outcome = await this.mailer.send({
      to: { name: mail.name, address: mail.email },
      content,
      messageId: `<${mail.id}@${domain}>`,
      references: mail.action_id ? [`<action-${mail.action_id}@${domain}>`] : [],
      headers: {
        'X-Countersign-Delivery': mail.id,
        'X-Countersign-Event': mail.event,
        // RFC 3834: a machine wrote it; out-of-office replies stay away.
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    }, this.shutdown.signal);
    if (!outcome.ok && this.shutdown.signal.aborted) return { ok: false, interrupted: true, error: 'interrupted: this server instance shut down during the attempt' };
    return outcome;
  }

  private async record(mail: ClaimedMail, outcome: Outcome): Promise<void> {
    const { webhooks } = this.services.config;
    const sql = this.services.sql;
    const now = new Date();
    const log = { deliveryId: mail.id, channel: 'EMAIL', event: mail.event, attempt: mail.attempts };
    if (outcome.ok) {
      await sql.execute(
        `update "notification_delivery" set "status" = 'DELIVERED', "delivered_at" = ?, "last_status_code" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [now, outcome.code, mail.id, mail.attempts],
      );
      this.services.logger.debug(log, 'mail sent');
      return;
    }
    if ('interrupted' in outcome) {
      await sql.execute(
        `update "notification_delivery" set "attempts" = "attempts" - 1, "next_attempt_at" = ?, "last_error" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [now, outcome.error, mail.id, mail.attempts],
      );
      return;
    }
    if (outcome.permanent || mail.attempts >= webhooks.maxAttempts) {
      await sql.execute(
        `update "notification_delivery" set "status" = 'FAILED', "last_error" = ?, "last_status_code" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [outcome.error, outcome.code, mail.id, mail.attempts],
      );
      this.services.logger.error({ ...log, code: outcome.code, error: outcome.error }, outcome.permanent ? 'mail refused for good; not retried' : 'mail failed for good after its last attempt');
      return;
    }
    const delay = nextAttemptDelay(mail.attempts, { baseMs: webhooks.backoffMs, maxMs: webhooks.backoffMaxMs });
    await sql.execute(
      `update "notification_delivery" set "next_attempt_at" = ?, "last_error" = ?, "last_status_code" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
      [new Date(now.getTime() + delay), outcome.error, outcome.code, mail.id, mail.attempts],
    );
    this.services.logger.warn({ ...log, code: outcome.code, error: outcome.error, retryInMs: delay }, 'mail attempt failed; will retry');
  }
}
