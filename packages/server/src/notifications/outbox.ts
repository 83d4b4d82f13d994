import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/sql.js';
import type { UnsealedAuditEvent } from '../audit/chain.js';
import { notificationIntents, type NotificationIntent } from './intents.js';
import { renderBody, type ActionFacts, type Person } from './render.js';
import { NotificationEvent, type WebhookFormat } from './webhook.entity.js';
import { approvalRoutingSql, setMembersSql, setsHoldingSql } from '../escalation/assignments.js';

interface EndpointMatch {
  id: string;
  approver_id: string | null;
  role: string | null;
  format: WebhookFormat;
  events: string[];
  recipient_id: string;
  recipient_name: string;
  recipient_roles: string[];
  /** The approver sets of the batch the recipient is a member of. */
  in_sets: string[];
}

interface ActionRow {
  id: string;
  type: string;
  summary: string;
  status: string;
  status_reason: string | null;
  mode: string;
  risk_score: number;
  risk_level: string;
  agent_id: string;
  agent_name: string;
  amount_value: string | number | null;
  amount_currency: string | null;
  escalation_level: number | null;
  deadline: Date | null;
  required_approvals: number;
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** The outbox rows a batch of audit events calls for, once their place in the chain is known. */
export interface NotificationPlan {
  /**
   * The INSERT of the rows (a statement or a data-modifying CTE), with `seqBase` added to
   * the events' provisional `seq` (1, 2, … in the order given to {@link planNotifications}).
   */
  insert(seqBase: number): { sql: string; params: unknown[] };
}

/**
 * Reads what the outbox rows for a batch of audit events need — who is told, through which
 * endpoints, about which request — inside the transaction that will append the events, so
 * that the notification exists if and only if the event does, whatever crashes afterwards.
 * Called before the audit head is locked: the reads are not part of the stretch every
 * writer waits on. One row per (event, endpoint); an endpoint for a role gets one row per
 * event listing the role's holders concerned, not one per holder. Events that notify nobody
 * cost no query and plan nothing (null); those that do cost two or three, plus one for
 * DECIDED's audience.
 *
 * `events` are the events to be appended, numbered 1, 2, … in `seq` (not sealed yet).
 */
export async function planNotifications(tx: SqlExecutor, events: readonly UnsealedAuditEvent[]): Promise<NotificationPlan | null> {
  const intents = notificationIntents(events);
  if (intents.length === 0) return null;

  const names = new Map<string, string>();
  const open = [...new Set(intents.filter((i) => i.approverIds === null).map((i) => i.actionId))];
  const audiences = new Map<string, string[]>();
  if (open.length > 0) {
    // Everyone the request was routed to for approval, at any level, and everyone who voted — with whom they stood in for.
    const rows = await tx.execute<{ action_id: string; approver_id: string; name: string }[]>(
      `select distinct p."action_id", ap."id" as "approver_id", ap."name"
         from (${approvalRoutingSql(open.length)}
               union all
               select "action_id", "approver_id", "on_behalf_of_id" from "decision" where "action_id" in (${placeholders(open)})) p
         join "approver" ap on ap."id" = p."approver_id" or ap."id" = p."on_behalf_of_id"`,
      [...open, ...open],
    );
    for (const row of rows) {
      names.set(row.approver_id, row.name);
      audiences.set(row.action_id, [...(audiences.get(row.action_id) ?? []), row.approver_id]);
    }
  }
  const named = (intent: NotificationIntent) => intent.approverIds ?? audiences.get(intent.actionId) ?? [];

  // Who may be told: the people named, and the members of the sets named (read here, not
  // listed: a set of 1,000 is one parameter, not 1,000).
  const everyone = [...new Set(intents.flatMap(named))];
  const sets = [...new Set(intents.flatMap((i) => i.approverSets ?? []))];
  // Every endpoint of a role or registered by an admin hears a broadcast (BREAK_GLASS), whoever it is for.
  const broadcastTo = intents.some((i) => i.broadcast)
    ? await tx.execute<Pick<EndpointMatch, 'id' | 'approver_id' | 'role' | 'format' | 'events'>[]>(
        `select e."id", e."approver_id", e."role", e."format", e."events" from "webhook_endpoint" e left join "approver" ap on ap."id" = e."approver_id"
          where e."active" and (e."role" is not null or e."created_by_admin") and (e."approver_id" is null or ap."active")`,
      )
    : [];
  if (everyone.length === 0 && sets.length === 0 && broadcastTo.length === 0) return null;
  const setList = `{${sets.join(',')}}`;
  const matches = everyone.length === 0 && sets.length === 0 ? [] : await tx.execute<EndpointMatch[]>(
    `select e."id", e."approver_id", e."role", e."format", e."events", ap."id" as "recipient_id", ap."name" as "recipient_name", ap."roles" as "recipient_roles",
            ${setsHoldingSql('ap')} as "in_sets"
       from "webhook_endpoint" e
       join "approver" ap on ap."id" = e."approver_id" or (e."role" is not null and e."role" = any(ap."roles"))
      where e."active" and ap."active"
        and (${everyone.length > 0 ? `ap."id" in (${placeholders(everyone)}) or ` : ''}ap."id" in (${setMembersSql()}))`,
    [setList, ...everyone, setList],
  );
  if (matches.length === 0 && broadcastTo.length === 0) return null;
  const byRecipient = new Map<string, EndpointMatch[]>();
  for (const m of matches) byRecipient.set(m.recipient_id, [...(byRecipient.get(m.recipient_id) ?? []), m]);
  const recipientsOf = (intent: NotificationIntent): string[] => {
    const ids = named(intent);
    const ofSets = intent.approverSets ?? [];
    if (ofSets.length === 0) return ids;
    const excluded = intent.setExclusions ?? {};
    const holds = (m: EndpointMatch) => m.in_sets.some((id) => ofSets.includes(id) && !excluded[id]?.includes(m.recipient_id));
    const members = [...byRecipient.values()].map((ms) => ms[0]!).filter(holds).map((m) => m.recipient_id);
    return [...new Set([...ids, ...members])];
  };

  interface Planned { intent: NotificationIntent; endpoint: EndpointMatch; recipients: Map<string, Person> }
  const planned: Planned[] = [];
  for (const intent of intents) {
    const perEndpoint = new Map<string, Planned>();
    for (const recipientId of recipientsOf(intent)) {
      for (const endpoint of byRecipient.get(recipientId) ?? []) {
        // BREAK_GLASS cannot be filtered out: an emergency door is loud.
        if (!endpoint.events.includes(intent.event) && intent.event !== NotificationEvent.BREAK_GLASS) continue;
        // Nobody is told on their own endpoint about what they just did; their role's channel still hears it.
        if (endpoint.approver_id !== null && endpoint.approver_id === intent.actorApproverId) continue;
        let plan = perEndpoint.get(endpoint.id);
        if (!plan) perEndpoint.set(endpoint.id, (plan = { intent, endpoint, recipients: new Map() }));
        plan.recipients.set(recipientId, { id: recipientId, name: endpoint.recipient_name });
      }
    }
    if (intent.broadcast) {
      for (const endpoint of broadcastTo) {
        if (perEndpoint.has(endpoint.id)) continue;
        if (endpoint.approver_id !== null && endpoint.approver_id === intent.actorApproverId) continue;
        // Told as the channel it is, for nobody in particular: none of the people it speaks for holds the request.
        perEndpoint.set(endpoint.id, { intent, endpoint: { ...endpoint, recipient_id: '', recipient_name: '', recipient_roles: [], in_sets: [] }, recipients: new Map() });
      }
    }
    planned.push(...perEndpoint.values());
  }
  if (planned.length === 0) return null;

  const facts = await loadFacts(tx, [...new Set(planned.map((p) => p.intent.actionId))]);
  const deliverable = planned.filter((p) => facts.has(p.intent.actionId));
  if (deliverable.length === 0) return null;
  return {
    insert(seqBase) {
      const params: unknown[] = [];
      const rows: string[] = [];
      const now = new Date();
      for (const { intent, endpoint, recipients } of deliverable) {
        const id = randomUUID();
        const decider = intent.detail.decidedBy?.type === 'APPROVER' && intent.detail.decidedBy.id ? intent.detail.decidedBy.id : null;
        const body = renderBody(endpoint.format, {
          id,
          intent: { ...intent, auditSeq: seqBase + intent.auditSeq },
          action: facts.get(intent.actionId)!,
          recipients: [...recipients.values()],
          decidedByName: decider ? (names.get(decider) ?? null) : null,
        });
        rows.push("(?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)");
        params.push(id, endpoint.id, intent.event, intent.actionId, JSON.stringify(body), now, now);
      }
      return {
        sql: `insert into "notification_delivery" ("id", "endpoint_id", "event", "action_id", "body", "status", "attempts", "next_attempt_at", "created_at") values ${rows.join(', ')}`,
        params,
      };
    },
  };
}

async function loadFacts(tx: SqlExecutor, ids: string[]): Promise<Map<string, ActionFacts>> {
  const rows = await tx.execute<ActionRow[]>(
    `select a."id", a."type", a."summary", a."status", a."status_reason", a."mode", a."risk_score", a."risk_level", a."agent_id", g."name" as "agent_name",
            a."amount_value", a."amount_currency", a."escalation_level", a."deadline", a."required_approvals"
       from "action_request" a join "agent" g on g."id" = a."agent_id"
      where a."id" in (${placeholders(ids)})`,
    ids,
  );
  return new Map(rows.map((r) => [r.id, {
    id: r.id,
    type: r.type,
    summary: r.summary,
    status: r.status,
    statusReason: r.status_reason,
    mode: r.mode,
    risk: { score: Number(r.risk_score), level: r.risk_level },
    agent: { id: r.agent_id, name: r.agent_name },
    amount: r.amount_value === null ? null : { value: Number(r.amount_value), currency: r.amount_currency },
    escalationLevel: r.escalation_level === null ? null : Number(r.escalation_level),
    deadline: r.deadline === null ? null : new Date(r.deadline),
    requiredApprovals: Number(r.required_approvals),
  }]));
}
