import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../db/sql.js';
import type { NotificationIntent } from '../intents.js';
import { NotificationEvent } from '../webhook.entity.js';
import { setMembersSql, setsHoldingSql } from '../../escalation/assignments.js';

/**
 * Whether any Slack-configured instance runs in this process. The audit append (which
 * plans the outbox) is called from dozens of places that carry no configuration, so the
 * instance says so here when it starts (createApp) and stops: a server without Slack pays
 * no query for it on its submission path. One server per process in production; in a test
 * process an instance without Slack sharing it with one that has it writes rows nobody
 * sends, which is harmless.
 */
let enabledBy = 0;

/** Turns the Slack outbox on for this process; returns the function that turns it off again. */
export function enableSlackOutbox(): () => void {
  enabledBy += 1;
  let done = false;
  return () => {
    if (!done) enabledBy -= 1;
    done = true;
  };
}

/** The events that post an approver a direct message. */
const POSTED = new Set<NotificationEvent>([NotificationEvent.ASSIGNED, NotificationEvent.ESCALATED, NotificationEvent.ABOUT_TO_EXPIRE]);

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

interface Row {
  intent: NotificationIntent;
  approverId: string | null;
}

/**
 * The Slack outbox rows for a batch of notification intents, read inside the transaction
 * that appends their audit events (see outbox.ts): a direct message for each recipient
 * who is active and has a Slack id, and for DECIDED and ESCALATED one row per request that
 * had Slack deliveries, which updates its messages in place (the outcome; or, past an
 * escalation, that the earlier levels' messages no longer wait for their readers). What the message says is read when it
 * is sent (the request as it is then), so the rows carry only the intent's facts.
 */
export async function planSlack(tx: SqlExecutor, intents: readonly NotificationIntent[]): Promise<{ insert(seqBase: number): { sql: string; params: unknown[] } } | null> {
  if (enabledBy === 0) return null;
  const rows: Row[] = [];

  const posting = intents.filter((i) => POSTED.has(i.event));
  const everyone = [...new Set(posting.flatMap((i) => i.approverIds ?? []))];
  const sets = [...new Set(posting.flatMap((i) => i.approverSets ?? []))];
  if (everyone.length > 0 || sets.length > 0) {
    const setList = `{${sets.join(',')}}`;
    const reachable = await tx.execute<{ id: string; in_sets: string[] }[]>(
      `select ap."id", ${setsHoldingSql('ap')} as "in_sets" from "approver" ap
        where ap."active" and ap."slack_user_id" is not null
          and (${everyone.length > 0 ? `ap."id" in (${placeholders(everyone)}) or ` : ''}ap."id" in (${setMembersSql()}))`,
      [setList, ...everyone, setList],
    );
    const byId = new Map(reachable.map((r) => [r.id, r]));
    for (const intent of posting) {
      const named = (intent.approverIds ?? []).filter((id) => byId.has(id));
      const ofSets = intent.approverSets ?? [];
      const excluded = intent.setExclusions ?? {};
      const members = ofSets.length === 0 ? [] : reachable.filter((r) => r.in_sets.some((set) => ofSets.includes(set) && !excluded[set]?.includes(r.id))).map((r) => r.id);
      for (const approverId of new Set([...named, ...members])) {
        if (approverId !== intent.actorApproverId) rows.push({ intent, approverId });
      }
    }
  }

  // Rows that rewrite a request's messages (approver null): once it ended (DECIDED), and once
  // it escalated past the levels they were posted to (ESCALATED: their buttons go).
  const rewriting = intents.filter((i) => i.event === NotificationEvent.DECIDED || i.event === NotificationEvent.ESCALATED);
  if (rewriting.length > 0) {
    const ids = [...new Set(rewriting.map((i) => i.actionId))];
    const planned = new Set(rows.map((r) => r.intent.actionId));
    const known = new Set((await tx.execute<{ action_id: string }[]>(`select distinct "action_id" from "slack_delivery" where "action_id" in (${placeholders(ids)})`, ids)).map((r) => r.action_id));
    for (const intent of rewriting) {
      // An escalation rewrites only messages posted before it; an ending, those posted in the same batch too.
      if (known.has(intent.actionId) || (intent.event === NotificationEvent.DECIDED && planned.has(intent.actionId))) rows.push({ intent, approverId: null });
    }
  }
  if (rows.length === 0) return null;

  return {
    insert(seqBase) {
      const now = new Date();
      const params: unknown[] = [];
      for (const { intent, approverId } of rows) {
        const detail = { ...intent.detail, auditSeq: seqBase + intent.auditSeq, at: intent.at.toISOString() };
        params.push(randomUUID(), intent.event, intent.actionId, approverId, JSON.stringify(detail), now, now);
      }
      return {
        sql: `insert into "slack_delivery" ("id", "event", "action_id", "approver_id", "detail", "status", "attempts", "next_attempt_at", "created_at")
              values ${rows.map(() => "(?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)").join(', ')}`,
        params,
      };
    },
  };
}
