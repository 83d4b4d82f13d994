import { ImapFlow } from 'imapflow';
import type { Services } from '../../../services.js';
import type { BounceMailboxConfig } from '../../../config.js';
import { rawTransaction } from '../../../db/sql.js';
import { isDatabaseUnavailable } from '../../../db/faults.js';
import { readBounce, type BounceAddressing } from './dsn.js';
import { applyBounce } from './apply.js';
import { PollLoop } from '../../../shared/poll-loop.js';

/** The slot in `notification_channel` that lets one instance at a time read the mailbox. */
const SLOT = 'email-bounces';
/** Messages read per look; the rest wait for the next. */
const BATCH = 100;
/** A bounce is a few KB; anything past this is no report and is not downloaded. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const OUTAGE_POLL_MS = 1000;

/** What one look at the mailbox found. */
export interface PollResult {
  read: number;
  bounces: number;
}

/**
 * Reads bounces that come back after the SMTP server accepted a mail (delivery status
 * notifications) from an IMAP mailbox — the one COUNTERSIGN_MAIL_BOUNCE_ADDRESS (or the
 * From address) delivers to — and records each against its delivery (apply.ts): a
 * permanent bounce fails it, a temporary one sends it again, as at send time.
 *
 * Every COUNTERSIGN_BOUNCE_POLL_MS one instance (whichever takes the slot) connects, reads
 * the unread messages, and marks each read once it is dealt with: recorded, or no bounce of
 * ours. A message whose bounce could not be recorded (the database away) stays unread for
 * the next look; a report read twice is applied once. The mailbox should be a dedicated
 * one: every message in it is marked read.
 */
export class BouncePoller {
  private readonly loop = new PollLoop(() => this.tick());
  private failing = false;
  private client: ImapFlow | null = null;

  constructor(
    private readonly services: Services,
    private readonly mailbox: BounceMailboxConfig,
    private readonly addressing: BounceAddressing,
  ) {}

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    const stopping = this.loop.stop();
    this.client?.close();
    await stopping;
  }

  /** One turn of the loop; the pause before the next. */
  private async tick(): Promise<number> {
    const { logger } = this.services;
    try {
      if (await this.takeSlot()) {
        const result = await this.pollOnce();
        if (result.bounces > 0) logger.info(result, 'bounces read from the bounce mailbox');
      }
      if (this.failing) logger.info('the bounce mailbox is read again');
      this.failing = false;
      return this.mailbox.pollMs;
    } catch (error) {
      if (!this.loop.running) return 0;
      // One line per outage of the mailbox or the database, not one per look.
      if (!this.failing) logger.warn({ err: describe(error), host: this.mailbox.host, mailbox: this.mailbox.mailbox, user: this.mailbox.user }, 'could not read the bounce mailbox; trying again');
      this.failing = true;
      return isDatabaseUnavailable(error) ? Math.min(this.mailbox.pollMs, OUTAGE_POLL_MS) : this.mailbox.pollMs;
    }
  }

  /** True when this instance may look now: at most one look per interval across instances. */
  private async takeSlot(): Promise<boolean> {
    const rows = await this.services.sql.execute<{ name: string }[]>(
      `insert into "notification_channel" ("name", "live_until") values (?, now() + make_interval(secs => ?))
       on conflict ("name") do update set "live_until" = excluded."live_until" where "notification_channel"."live_until" <= now()
       returning "name"`,
      [SLOT, Math.max(this.mailbox.pollMs - 50, 10) / 1000],
    );
    return rows.length > 0;
  }

  /** One look at the mailbox: every unread message read, recorded if it is a bounce of ours, marked read. */
  async pollOnce(): Promise<PollResult> {
    const { timeoutMs } = this.services.config.webhooks;
    const client = new ImapFlow({
      host: this.mailbox.host,
      port: this.mailbox.port,
      secure: this.mailbox.secure,
      auth: { user: this.mailbox.user, pass: this.mailbox.password },
      // Nothing of the conversation (the password included) reaches the logs.
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: Math.max(timeoutMs, 30_000),
      maxLiteralSize: MAX_MESSAGE_BYTES * 2,
    });
    // A dropped connection is reported by the command that was waiting; this keeps the event from crashing the process.
    client.on('error', () => undefined);
    this.client = client;
    const result: PollResult = { read: 0, bounces: 0 };
    try {
      await client.connect();
      const lock = await client.getMailboxLock(this.mailbox.mailbox);
      try {
        const unread = (await client.search({ seen: false }, { uid: true })) || [];
        const uids = unread.slice(0, BATCH);
        const sizes = new Map<number, number>();
        if (uids.length > 0) {
          for await (const message of client.fetch(uids.join(','), { uid: true, size: true }, { uid: true })) sizes.set(message.uid, message.size ?? 0);
        }
        for (const uid of uids) {
          if (!this.loop.running) break;
          if ((sizes.get(uid) ?? 0) <= MAX_MESSAGE_BYTES) {
            const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
            try {
              if (message && message.source) result.bounces += (await this.record(message.source)) ? 1 : 0;
            } catch (error) {
              // Left unread for the next look while the database is away; any other failure is this
              // message's own, and must not hold up the ones after it.
              if (isDatabaseUnavailable(error)) throw error;
              this.services.logger.error({ err: error, uid }, 'could not record a message of the bounce mailbox; it is skipped');
            }
          }
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          result.read += 1;
        }
      } finally {
        lock.release();
      }
      await client.logout();
      return result;
    } finally {
      client.close();
      this.client = null;
    }
  }

  /** Records one message if it is a bounce of ours; throws (leaving it unread) when that cannot be recorded now. */
  private async record(source: Buffer): Promise<boolean> {
    const bounce = await readBounce(source, this.addressing);
    if (!bounce) return false;
    const { maxAttempts, backoffMs, backoffMaxMs } = this.services.config.webhooks;
    const { applied } = await rawTransaction(this.services.orm, (sql) => applyBounce(sql, bounce, { maxAttempts, backoffMs, backoffMaxMs }));
    this.services.logger.info({ deliveryId: bounce.deliveryId, kind: bounce.kind, status: bounce.status, applied }, 'a bounce came back for a mail');
    return applied === 'applied' || applied === 'noted';
  }
}

/** An IMAP or database error for the log, without the credentials a message could quote. */
function describe(error: unknown): { name: string; message: string; code?: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; code?: unknown; responseText?: unknown };
  const message = [e.message, e.responseText].filter((x): x is string => typeof x === 'string').join(': ').replace(/imaps?:\/\/\S+/gi, '<imap url>');
  return { name: typeof e.name === 'string' ? e.name : 'Error', message: message.slice(0, 300), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
}
