import type { Services } from '../../services.js';
import type { SqlExecutor } from '../../db/sql.js';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { OutboxWorker, recordAttempt, type AttemptResult, type OutboxChannel } from '../outbox-worker.js';
import { actionUrl } from '../render.js';
import { loadFacts } from '../outbox.js';
import { NotificationEvent } from '../webhook.entity.js';
import { describeSlackFailure, type SlackApi } from './slack.api.js';
import { currentCandidate } from '../../decisions/current-candidate.js';
import { payloadHash } from '../../receipts/receipt.js';
import { deciderName, renderDecidedMessage, renderEscalatedAwayMessage, renderDirectMessage, type SlackText, type StoredDetail } from './slack.render.js';

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

const TABLE = { name: 'slack_delivery', statusCode: false } as const;

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
 * Sends the Slack outbox (slack.outbox.ts) through OutboxWorker, as webhooks are sent: claimed
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
export function slackWorker(services: Services, slack: SlackApi): OutboxWorker<ClaimedDelivery> {
  return new OutboxWorker(services, new SlackChannel(services, slack));
}

class SlackChannel implements OutboxChannel<ClaimedDelivery> {
  readonly name = 'Slack';

  constructor(
    private readonly services: Services,
    private readonly slack: SlackApi,
  ) {}

  claim(limit: number): Promise<ClaimedDelivery[]> {
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

  async attempt(delivery: ClaimedDelivery): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = delivery.event === NotificationEvent.DECIDED ? await this.updateMessages(delivery)
        : delivery.approver_id === null && delivery.event === NotificationEvent.ESCALATED ? await this.escalatedAway(delivery)
          : await this.post(delivery);
    } catch (error) {
      if (isDatabaseUnavailable(error)) outcome = { ok: false, error: 'the database was unavailable', retryAfterMs: null, permanent: false };
      else outcome = { ok: false, ...describeSlackFailure(error) };
    }
    const result: AttemptResult = outcome.ok ? { kind: 'delivered', note: outcome.note } : { kind: 'failed', ...outcome };
    const recorded = await recordAttempt(this.services.sql, TABLE, delivery, result, this.services.config.webhooks);
    const { logger } = this.services;
    const log = { deliveryId: delivery.id, event: delivery.event, actionId: delivery.action_id, attempt: delivery.attempts };
    if (recorded.kind === 'delivered') logger.debug({ ...log, note: outcome.ok ? outcome.note : null }, 'Slack delivery done');
    else if (recorded.kind === 'failed') logger.error({ ...log, error: recorded.error }, 'Slack delivery failed for good');
    else if (recorded.kind === 'retry') logger.warn({ ...log, error: recorded.error, retryInMs: recorded.retryInMs }, 'Slack delivery attempt failed; will retry');
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

  /**
   * Rewrites the messages posted before the request escalated (their deliveries are older
   * than this one, written with the escalation): no more Approve or Deny for a level it has
   * left. Skipped once the request ended (its DECIDED rewrite says so); an ending that lands
   * while this runs brings that rewrite back, so the outcome is what stays.
   */
  private async escalatedAway(delivery: ClaimedDelivery): Promise<Outcome> {
    const { sql } = this.services;
    const action = (await loadFacts(sql, [delivery.action_id])).get(delivery.action_id);
    if (!action) return { ok: true, note: 'skipped: the request no longer exists' };
    if (action.status !== 'PENDING') return { ok: true, note: `skipped: the request is ${action.status} already` };
    const messages = await sql.execute<{ channel: string; ts: string }[]>(
      `select m."channel", m."ts" from "slack_message" m join "slack_delivery" posted on posted."id" = m."delivery_id"
        where m."action_id" = ? and posted."created_at" < (select "created_at" from "slack_delivery" where "id" = ?)
        order by m."created_at"`,
      [action.id, delivery.id],
    );
    const failure = await this.updateEach(messages, renderEscalatedAwayMessage(action, delivery.detail, this.url(action.id)));
    const [now] = await sql.execute<{ status: string }[]>('select "status" from "action_request" where "id" = ?', [action.id]);
    if (now && now.status !== 'PENDING') await refreshDecidedMessages(sql, action.id);
    return failure ?? { ok: true, note: null };
  }

  /** Updates each message in place; the first failure worth retrying, or null. A message deleted in Slack is left. */
  private async updateEach(messages: readonly { channel: string; ts: string }[], message: SlackText): Promise<Outcome | null> {
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
    return failure;
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
    return (await this.updateEach(messages, message)) ?? { ok: true, note: null };
  }
}
