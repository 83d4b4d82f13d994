import type { Services } from '../../services.js';
import type { EmailConfig } from '../../config.js';
import { rawTransaction, type SqlExecutor } from '../../db/sql.js';
import { isDatabaseUnavailable } from '../../db/faults.js';
import { AssignmentKind } from '../../escalation/assignment.entity.js';
import { queueOf } from '../../escalation/assignments.js';
import { NotificationChannel } from '../webhook.entity.js';
import { newDeliveryId, outboxInsert } from '../outbox-row.js';
import { digestDay } from './preferences.js';
import { PollLoop } from '../../shared/poll-loop.js';
import type { DigestBody, DigestItem } from './message.js';

/** Requests listed in one digest (the oldest first); the rest are counted. */
const DIGEST_ITEMS = 25;
/** Approvers whose digest one pass starts, at most. */
const PASS_SIZE = 200;
const OUTAGE_POLL_MS = 1000;

interface ReviewRow {
  id: string;
  type: string;
  summary: string;
  risk_score: number;
  risk_level: string;
  agent_name: string;
  amount_value: number | null;
  amount_currency: string | null;
  created_at: Date | string;
}

/**
 * The daily digest of each approver's review queue. Every instance with mail configured
 * looks every COUNTERSIGN_DIGEST_POLL_MS for approvers whose digest hour (theirs, or
 * COUNTERSIGN_DIGEST_HOUR; UTC) has come today and who have not had today's; each one is
 * claimed by inserting (approver, day) into `email_digest` — its primary key lets exactly
 * one instance win, whatever runs at once — and in the same transaction the mail is put in
 * the outbox, where it is sent and retried like any other. An approver with nothing to
 * review gets no mail, but their day counts as done, so a review arriving in the afternoon
 * waits for tomorrow's digest. A server that was down at the hour sends the day's digests
 * when it comes back.
 */
export class DigestScheduler {
  private readonly loop = new PollLoop(() => this.tick());
  private outage = false;

  constructor(private readonly services: Services, private readonly config: EmailConfig) {}

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One turn of the loop; the pause before the next. */
  private async tick(): Promise<number> {
    try {
      // A full pass suggests more approvers are due: go on at once.
      const pause = (await this.sendDue()) >= PASS_SIZE ? 0 : this.config.digestPollMs;
      this.outage = false;
      return pause;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        this.services.logger.error({ err: error }, 'review digests failed; retrying');
        return this.config.digestPollMs;
      }
      if (!this.outage) this.services.logger.warn({ err: error }, 'the database is unavailable: review digests wait for it');
      this.outage = true;
      return Math.max(this.config.digestPollMs, OUTAGE_POLL_MS);
    }
  }

  /** Claims and queues the digests due at `now`; how many approvers were looked at. */
  async sendDue(now = new Date()): Promise<number> {
    const day = digestDay(now);
    const due = await this.services.sql.execute<{ id: string; name: string }[]>(
      `select ap."id", ap."name" from "approver" ap left join "notification_preference" p on p."approver_id" = ap."id"
        where ap."active" and coalesce(ap."email", '') <> '' and coalesce(p."email_digest", true)
          and coalesce(p."digest_hour", ?) <= ?
          and not exists (select 1 from "email_digest" d where d."approver_id" = ap."id" and d."day" = ?::date)
        order by ap."id" limit ?`,
      [this.config.digestHourUtc, now.getUTCHours(), day, PASS_SIZE],
    );
    for (const approver of due) {
      if (!this.loop.running) break;
      await rawTransaction(this.services.orm, (tx) => queueDigest(tx, approver, day, now));
    }
    return due.length;
  }
}

/**
 * Today's digest for one approver, in the caller's transaction: claims the day (nothing
 * when another instance already did) and puts the mail in the outbox when their review
 * queue holds anything. The id of the delivery, or null.
 */
export async function queueDigest(tx: SqlExecutor, approver: { id: string; name: string }, day: string, now: Date): Promise<string | null> {
  const [claimed] = await tx.execute<{ approver_id: string }[]>(
    `insert into "email_digest" ("approver_id", "day", "created_at") values (?, ?::date, ?) on conflict do nothing returning "approver_id"`,
    [approver.id, day, now],
  );
  if (!claimed) return null;
  const byAge = (alias: string) => `${alias}."created_at"`;
  const reviews = queueOf(approver.id, AssignmentKind.REVIEW, byAge, () => '', [], DIGEST_ITEMS);
  const [{ n: reviewCount }] = (await tx.execute<{ n: number }[]>(...reviews.count)) as [{ n: number }];
  if (Number(reviewCount) === 0) return null;
  const rows = await tx.execute<ReviewRow[]>(
    `with "page" as (${reviews.page[0]} order by "sort_at", "assignment_id" limit ?)
     select a."id", a."type", a."summary", a."risk_score", a."risk_level", g."name" as "agent_name", a."amount_value"::float8 as "amount_value", a."amount_currency", a."created_at"
       from "page" p join "action_request" a on a."id" = p."action_id" join "agent" g on g."id" = a."agent_id"
      order by p."sort_at", p."assignment_id"`,
    [...reviews.page[1], DIGEST_ITEMS],
  );
  const approvals = queueOf(approver.id, AssignmentKind.APPROVAL, (alias) => `${alias}."deadline"`, () => '', [], 1);
  const [{ n: approvalCount }] = (await tx.execute<{ n: number }[]>(...approvals.count)) as [{ n: number }];
  const id = newDeliveryId();
  const body: DigestBody = {
    id,
    event: 'DIGEST',
    day,
    recipients: [{ id: approver.id, name: approver.name }],
    reviews: rows.map((r): DigestItem => ({
      id: r.id,
      type: r.type,
      summary: r.summary,
      risk: { score: Number(r.risk_score), level: r.risk_level },
      agent: { name: r.agent_name },
      amount: r.amount_value === null ? null : { value: Number(r.amount_value), currency: r.amount_currency },
      createdAt: new Date(r.created_at).toISOString(),
    })),
    reviewCount: Number(reviewCount),
    approvalCount: Number(approvalCount),
  };
  const insert = outboxInsert([{ id, channel: NotificationChannel.EMAIL, endpointId: null, approverId: approver.id, event: 'DIGEST', actionId: null, body }], now);
  await tx.execute(insert.sql, insert.params);
  await tx.execute(`update "email_digest" set "delivery_id" = ? where "approver_id" = ? and "day" = ?::date`, [id, approver.id, day]);
  return id;
}
