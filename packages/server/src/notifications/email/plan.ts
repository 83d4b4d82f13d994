import type { SqlExecutor } from '../../db/sql.js';
import { setMembersSql, setsHoldingSql } from '../../escalation/assignments.js';
import type { NotificationIntent } from '../intents.js';
import { renderJson } from '../render.js';
import { NotificationChannel } from '../webhook.entity.js';
import { newDeliveryId, type ChannelPlan, type FactsLoader } from '../outbox-row.js';
import { wantsEmail } from './preferences.js';

/** The name of the email channel's lease in `notification_channel` (email.worker.ts renews it). */
export const EMAIL_CHANNEL = 'EMAIL';

interface Candidate {
  id: string;
  name: string;
  /** The approver sets of the batch the approver is a member of. */
  in_sets: string[];
  email_assigned: boolean;
  email_escalated: boolean;
  email_about_to_expire: boolean;
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * The mails a batch of intents calls for: one row per (intent, approver) for each approver
 * concerned who has an email address, is active and wants that kind of mail — only while
 * some instance can send mail (its lease in `notification_channel` is live), so that a
 * server without COUNTERSIGN_SMTP_URL piles up no mail to send years later. The stored
 * body is the JSON a webhook would get for that one person (never the payload); the mail
 * is written from it when sent (message.ts). One query when anyone is concerned; none when
 * no intent is a kind that is mailed.
 */
export async function planEmails(tx: SqlExecutor, intents: readonly NotificationIntent[], loadFacts: FactsLoader): Promise<ChannelPlan | null> {
  const mailed = intents.filter((i) => i.approverIds !== null && wantsEmail({ emailAssigned: true, emailEscalated: true, emailAboutToExpire: true }, i.event, i.detail.assignment));
  if (mailed.length === 0) return null;
  const named = [...new Set(mailed.flatMap((i) => i.approverIds ?? []))];
  const sets = [...new Set(mailed.flatMap((i) => i.approverSets ?? []))];
  if (named.length === 0 && sets.length === 0) return null;
  const setList = `{${sets.join(',')}}`;
  const candidates = await tx.execute<Candidate[]>(
    `select ap."id", ap."name", ${setsHoldingSql('ap')} as "in_sets",
            coalesce(p."email_assigned", true) as "email_assigned", coalesce(p."email_escalated", true) as "email_escalated",
            coalesce(p."email_about_to_expire", true) as "email_about_to_expire"
       from "approver" ap left join "notification_preference" p on p."approver_id" = ap."id"
      where ap."active" and coalesce(ap."email", '') <> ''
        and exists (select 1 from "notification_channel" c where c."name" = ? and c."live_until" > now())
        and (${named.length > 0 ? `ap."id" in (${placeholders(named)}) or ` : ''}ap."id" in (${setMembersSql()}))`,
    [setList, EMAIL_CHANNEL, ...named, setList],
  );
  if (candidates.length === 0) return null;
  const byId = new Map(candidates.map((c) => [c.id, c]));

  const planned: { intent: NotificationIntent; to: Candidate }[] = [];
  for (const intent of mailed) {
    const excluded = intent.setExclusions ?? {};
    const ofSets = intent.approverSets ?? [];
    const members = ofSets.length === 0 ? [] : candidates.filter((c) => c.in_sets.some((set) => ofSets.includes(set) && !excluded[set]?.includes(c.id))).map((c) => c.id);
    for (const id of new Set([...(intent.approverIds ?? []), ...members])) {
      const to = byId.get(id);
      // Nobody is mailed about what they just did themself.
      if (!to || id === intent.actorApproverId) continue;
      if (!wantsEmail({ emailAssigned: to.email_assigned, emailEscalated: to.email_escalated, emailAboutToExpire: to.email_about_to_expire }, intent.event, intent.detail.assignment)) continue;
      planned.push({ intent, to });
    }
  }
  if (planned.length === 0) return null;
  const facts = await loadFacts([...new Set(planned.map((p) => p.intent.actionId))]);
  const deliverable = planned.filter((p) => facts.has(p.intent.actionId));
  if (deliverable.length === 0) return null;
  return {
    rows(seqBase) {
      return deliverable.map(({ intent, to }) => {
        const id = newDeliveryId();
        const body = renderJson({
          id,
          intent: { ...intent, auditSeq: seqBase + intent.auditSeq },
          action: facts.get(intent.actionId)!,
          recipients: [{ id: to.id, name: to.name }],
          decidedByName: null,
        });
        return { id, channel: NotificationChannel.EMAIL, endpointId: null, approverId: to.id, event: intent.event, actionId: intent.actionId, body };
      });
    },
  };
}
