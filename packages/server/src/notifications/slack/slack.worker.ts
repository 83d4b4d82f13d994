import type { Services } from '../../services.js';
import type { SqlExecutor } from '../../db/sql.js';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { nextAttemptDelay } from '../retry.js';
import { actionUrl } from '../render.js';
import { loadFacts } from '../outbox.js';
import { NotificationEvent } from '../webhook.entity.js';
import { describeSlackFailure, type SlackApi } from './slack.api.js';
import { currentCandidate } from '../../decisions/current-candidate.js';
import { payloadHash } from '../../receipts/receipt.js';
import { deciderName, renderDecidedMessage, renderDirectMessage, type StoredDetail } from './slack.render.js';

interface ClaimedDelivery {
  id: string;
  event: NotificationEvent;
  action_id: string;
  approver_id: string | null;
  detail: StoredDetail;
  attempts: number;
}

/** How an attempt went: sent (or nothing left to send), or failed and why. */
type Outcome = { ok: true; note: string | null } | { ok: false; error: string; retryAfterMs: number | null; permanent: boolean };

const OUTAGE_POLL_MS = 1000;
const MAX_ERROR_LENGTH = 500;

/**
 * After a request ended, its Slack messages must show it. The DECIDED delivery does that;
 * a message recorded after it read them (a post racing the decision) or a click that found
 * the request already decided brings it back, due now. An attempt in flight loses its
 * lease (its attempt number no longer matches), so it runs again and sees every message.
 */
export async function refreshDecidedMessages(sql: SqlExecutor, actionId: string): Promise<void> {
  await sql.execute(
    `update "slack_delivery" set "status" = 'PENDING', "attempts" = 0, "next_attempt_at" = ?, "last_error" = null
      where "action_id" = ? and "event" = 'DECIDED'`,
    [new Date(), actionId],
  );
}

/**
 * Sends the Slack outbox (slack.outbox.ts) the way DeliveryWorker sends webhooks: claimed
 * with `FOR UPDATE SKIP LOCKED` in one statement that counts the attempt and leases the
 * row, sent without holding a connection, the result written only while the lease is ours
 * (the attempt number fences it). Same timeouts, attempts and backoff as webhooks.
 *
 * A post is at least once (Slack has no idempotency key): a posted message is recorded
 * under its delivery id, and a delivery that finds its message recorded does not post
 * again; only a crash between Slack's answer and that record can post twice. Messages are
 * written from the request as it is when sent: a post for a request that has ended since
 * is skipped.
 */
export class SlackDeliveryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private outage = false;
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly services: Services,
    private readonly slack: SlackApi,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
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
          this.outage = false;
        } catch (error) {
          if (isDatabaseUnavailable(error)) {
            if (!this.outage) this.services.logger.warn({ err: error }, 'the database is unavailable: Slack deliveries wait for it');
            this.outage = true;
            pause = Math.max(pollMs, OUTAGE_POLL_MS);
          } else this.services.logger.error({ err: error }, 'could not claim Slack deliveries; retrying');
        }
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

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const { timeoutMs } = this.services.config.webhooks;
    const now = new Date();
    // Long enough for every call of a DECIDED delivery (one per message) to time out, and the result to be written.
    const leaseUntil = new Date(now.getTime() + 10 * timeoutMs + 10_000);
    return this.services.sql.execute<ClaimedDelivery[]>(
      `update "slack_delivery" d set "attempts" = d."attempts" + 1, "next_attempt_at" = ?
         from (select s."id" from "slack_delivery" s where s."status" = 'PENDING' and s."next_attempt_at" <= ?
                order by s."next_attempt_at" limit ? for update skip locked) due
        where d."id" = due."id"
        returning d."id", d."event", d."action_id", d."approver_id", d."detail", d."attempts"`,
      [leaseUntil, now, limit],
    );
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = delivery.event === NotificationEvent.DECIDED ? await this.updateMessages(delivery) : await this.post(delivery);
    } catch (error) {
      if (isDatabaseUnavailable(error)) outcome = { ok: false, error: 'the database was unavailable', retryAfterMs: null, permanent: false };
      else outcome = { ok: false, ...describeSlackFailure(error) };
    }
    try {
      await this.record(delivery, outcome);
    } catch (error) {
      this.services.logger.error({ err: error, deliveryId: delivery.id }, 'could not record a Slack delivery attempt; it will be retried');
    }
  }

  private url(actionId: string): string {
    return actionUrl(this.services.config.publicUrl ?? '', actionId);
  }

  /** Posts an assignee their direct message, unless it was posted already or there is nothing left to ask. */
  private async post(delivery: ClaimedDelivery): Promise<Outcome> {
    const { sql } = this.services;
    const [recipient] = await sql.execute<{ name: string; slack_user_id: string | null; active: boolean; posted: boolean }[]>(
      `select ap."name", ap."slack_user_id", ap."active", exists(select 1 from "slack_message" m where m."delivery_id" = ?) as "posted"
         from "approver" ap where ap."id" = ?`,
      [delivery.id, delivery.approver_id],
    );
    if (!recipient) return { ok: true, note: 'skipped: the approver no longer exists' };
    if (recipient.posted) return { ok: true, note: 'already posted' };
    if (!recipient.active || !recipient.slack_user_id) return { ok: true, note: 'skipped: the approver is inactive or has no Slack id now' };
    const action = (await loadFacts(sql, [delivery.action_id])).get(delivery.action_id);
    if (!action) return { ok: true, note: 'skipped: the request no longer exists' };
    const review = delivery.detail.assignment === 'REVIEW';
    if (!review && action.status !== 'PENDING') return { ok: true, note: `skipped: the request is ${action.status} already` };

    // The payload its Approve stands for: a click after another approver changed it is refused, not counted.
    const candidate = review ? null : await currentCandidate(sql, action.id);
    const message = renderDirectMessage(delivery.event, action, delivery.detail, recipient.name, this.url(action.id), candidate ? payloadHash(candidate.payload) : null);
    const posted = await this.slack.postDirectMessage(recipient.slack_user_id, message, { delivery_id: delivery.id, action_id: action.id, event: delivery.event });
    await sql.execute(
      `insert into "slack_message" ("id", "action_id", "approver_id", "delivery_id", "channel", "ts", "created_at")
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?) on conflict ("delivery_id") do nothing`,
      [action.id, delivery.approver_id, delivery.id, posted.channel, posted.ts, new Date()],
    );
    if (!review) {
      // Decided while this was being posted: the DECIDED delivery may have run before this message was recorded.
      const [now] = await sql.execute<{ status: string }[]>('select "status" from "action_request" where "id" = ?', [action.id]);
      if (now && now.status !== 'PENDING') await refreshDecidedMessages(sql, action.id);
    }
    return { ok: true, note: null };
  }

  /** Rewrites every message posted about an ended request: its outcome and who decided, no more buttons. */
  private async updateMessages(delivery: ClaimedDelivery): Promise<Outcome> {
    const { sql } = this.services;
    const action = (await loadFacts(sql, [delivery.action_id])).get(delivery.action_id);
    if (!action) return { ok: true, note: 'skipped: the request no longer exists' };
    const by = delivery.detail.decidedBy;
    const [approver] = by?.type === 'APPROVER' && by.id ? await sql.execute<{ name: string }[]>('select "name" from "approver" where "id" = ?', [by.id]) : [];
    const message = renderDecidedMessage(action, delivery.detail, deciderName(delivery.detail, action, approver?.name ?? null), this.url(action.id));
    const messages = await sql.execute<{ channel: string; ts: string }[]>('select "channel", "ts" from "slack_message" where "action_id" = ? order by "created_at"', [action.id]);
    let failure: Outcome | null = null;
    for (const { channel, ts } of messages) {
      try {
        await this.slack.update(channel, ts, message);
      } catch (error) {
        const described = describeSlackFailure(error);
        // A message deleted in Slack cannot be updated, and need not be: the others still are.
        if (described.permanent) continue;
        failure ??= { ok: false, ...described, permanent: false };
      }
    }
    return failure ?? { ok: true, note: null };
  }

  private async record(delivery: ClaimedDelivery, outcome: Outcome): Promise<void> {
    const { webhooks } = this.services.config;
    const { sql, logger } = this.services;
    const now = new Date();
    const log = { deliveryId: delivery.id, event: delivery.event, actionId: delivery.action_id, attempt: delivery.attempts };
    if (outcome.ok) {
      await sql.execute(
        `update "slack_delivery" set "status" = 'DELIVERED', "delivered_at" = ?, "last_error" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [now, outcome.note, delivery.id, delivery.attempts],
      );
      logger.debug({ ...log, note: outcome.note }, 'Slack delivery done');
      return;
    }
    const error = outcome.error.slice(0, MAX_ERROR_LENGTH);
    if (outcome.permanent || delivery.attempts >= webhooks.maxAttempts) {
      await sql.execute(
        `update "slack_delivery" set "status" = 'FAILED', "last_error" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
        [error, delivery.id, delivery.attempts],
      );
      logger.error({ ...log, error }, 'Slack delivery failed for good');
      return;
    }
    const delay = nextAttemptDelay(delivery.attempts, { baseMs: webhooks.backoffMs, maxMs: webhooks.backoffMaxMs, retryAfter: outcome.retryAfterMs });
    await sql.execute(
      `update "slack_delivery" set "next_attempt_at" = ?, "last_error" = ? where "id" = ? and "attempts" = ? and "status" = 'PENDING'`,
      [new Date(now.getTime() + delay), error, delivery.id, delivery.attempts],
    );
    logger.warn({ ...log, error, retryInMs: delay }, 'Slack delivery attempt failed; will retry');
  }
}
