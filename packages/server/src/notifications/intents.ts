import type { UnsealedAuditEvent } from '../audit/chain.js';
import { NotificationEvent } from './webhook.entity.js';

/** One thing to tell people about one request, derived from one audit event. */
export interface NotificationIntent {
  event: NotificationEvent;
  actionId: string;
  /** The audit event it comes from: receivers can order deliveries by it. */
  auditSeq: number;
  at: Date;
  /**
   * The approvers it is for; null for DECIDED, whose audience (everyone the request was
   * routed to for approval, and everyone who voted) is looked up in the database.
   */
  approverIds: string[] | null;
  /**
   * Approver sets whose every member it is for as well (an assignment stored as group
   * assignments names its sets, not each member: escalation.service.ts). A set named by an
   * event was stored with it or before, and is read in the same transaction.
   */
  approverSets?: string[];
  /** Members of a set named above who are not to be told, by set: their own part of the group ended (a vote counted, a delegation). */
  setExclusions?: Record<string, string[]>;
  /** BREAK_GLASS: also every endpoint of a role and every endpoint an admin registered, whoever it is for. */
  broadcast?: boolean;
  /** The approver whose own act caused it: not told on their personal endpoints (their role's still are). */
  actorApproverId: string | null;
  /** Event-specific facts for the message. */
  detail: IntentDetail;
}

export interface IntentDetail {
  /** ASSIGNED: whether the request waits for a decision or was approved and waits for a review. */
  assignment?: 'APPROVAL' | 'REVIEW';
  /** ASSIGNED after a delegation moved the request, or a modified payload voided their approval: why. */
  cause?: string;
  level?: number | null;
  fromLevel?: number | null;
  toLevel?: number | null;
  /** DECIDED: who ended it (APPROVER, AGENT or SYSTEM) and what they said. */
  decidedBy?: { type: string; id: string | null };
  verdict?: string | null;
  comment?: string | null;
  /** BREAK_GLASS: the agent's justification, and when the review's first level times out. */
  breakGlass?: { justification: string; reviewDeadline: string | null };
}

type Data = Record<string, unknown>;

const TERMINAL_KINDS = new Set(['ACTION_APPROVED', 'ACTION_DENIED', 'ACTION_CHANGES_REQUESTED', 'ACTION_EXPIRED', 'ACTION_CANCELLED']);

function dataOf(event: UnsealedAuditEvent): Data {
  return typeof event.data === 'object' && event.data !== null ? (event.data as Data) : {};
}

/** `assignees` is `[{approverId, …}]` on ACTION_ASSIGNED and ESCALATED, `[approverId]` on ABOUT_TO_EXPIRE (and ids elsewhere). */
function approverIdsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const ids = value.map((a: unknown) => (typeof a === 'string' ? a : typeof a === 'object' && a !== null ? (a as Data).approverId : null));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** The members each set of `groups` leaves out (`[{set, excluded: [approverId]}]`, on ABOUT_TO_EXPIRE). */
function exclusionsOf(value: unknown): Record<string, string[]> {
  const exclusions: Record<string, string[]> = {};
  if (!Array.isArray(value)) return exclusions;
  for (const g of value as unknown[]) {
    if (typeof g !== 'object' || g === null) continue;
    const { set, excluded } = g as Data;
    if (typeof set === 'string') exclusions[set] = approverIdsOf(excluded);
  }
  return exclusions;
}

/** The approver sets of `groups` (`[{set, …}]`) on ACTION_ASSIGNED, ESCALATED and ABOUT_TO_EXPIRE. */
function setsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((g: unknown) => (typeof g === 'object' && g !== null ? (g as Data).set : null)).filter((id): id is string => typeof id === 'string');
}

function firstString(...values: unknown[]): string | null {
  return (values.find((v) => typeof v === 'string') as string | undefined) ?? null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/**
 * Which notifications a batch of audit events calls for (sealed or about to be). Pure: the caller resolves
 * endpoints and writes the outbox. A request that is born terminal in the same batch
 * (AUTO, ASYNC_REVIEW, BLOCK, no route) was never waiting on anyone, so it has no DECIDED;
 * a request gets at most one DECIDED per batch, however many events end it.
 */
export function notificationIntents(events: readonly UnsealedAuditEvent[]): NotificationIntent[] {
  const born = new Set(events.filter((e) => e.kind === 'ACTION_SUBMITTED').map((e) => e.subjectId));
  const decided = new Set<string>();
  const votes = new Map<string, UnsealedAuditEvent>();
  const intents: NotificationIntent[] = [];

  for (const e of events) {
    if (e.subjectType !== 'ACTION' || e.subjectId === null) continue;
    const actionId = e.subjectId;
    const data = dataOf(e);
    const base = { actionId, auditSeq: e.seq, at: new Date(e.at), actorApproverId: e.actorType === 'APPROVER' ? e.actorId : null };
    switch (e.kind) {
      case 'ACTION_ASSIGNED':
        intents.push({
          ...base, event: NotificationEvent.ASSIGNED, approverIds: approverIdsOf(data.assignees), approverSets: setsOf(data.groups),
          detail: { assignment: data.kind === 'REVIEW' ? 'REVIEW' : 'APPROVAL', level: numberOrNull(data.level) },
        });
        break;
      case 'ESCALATED':
        intents.push({
          ...base, event: NotificationEvent.ESCALATED, approverIds: approverIdsOf(data.assignees), approverSets: setsOf(data.groups),
          detail: { level: numberOrNull(data.toLevel), fromLevel: numberOrNull(data.fromLevel), toLevel: numberOrNull(data.toLevel), ...(data.kind === 'REVIEW' ? { assignment: 'REVIEW' as const } : {}) },
        });
        break;
      case 'ABOUT_TO_EXPIRE':
        intents.push({
          ...base, event: NotificationEvent.ABOUT_TO_EXPIRE, approverIds: approverIdsOf(data.assignees),
          approverSets: setsOf(data.groups), setExclusions: exclusionsOf(data.groups), detail: { level: numberOrNull(data.level) },
        });
        break;
      case 'BREAK_GLASS_USED':
        // Loud by design (DESIGN §12): the reviewers of its first level, and every admin channel.
        intents.push({
          ...base, event: NotificationEvent.BREAK_GLASS, approverIds: approverIdsOf(data.assignees), approverSets: setsOf(data.groups), broadcast: true,
          detail: {
            level: numberOrNull(data.level),
            breakGlass: { justification: firstString(data.justification) ?? '', reviewDeadline: data.reviewDeadline instanceof Date ? data.reviewDeadline.toISOString() : firstString(data.reviewDeadline) },
          },
        });
        break;
      case 'ASSIGNEES_CHANGED': {
        // A delegation moved the request: only the people who newly have it are told.
        const added = approverIdsOf(data.gained);
        if (added.length > 0) {
          intents.push({
            ...base, event: NotificationEvent.ASSIGNED, approverIds: added,
            detail: { assignment: 'APPROVAL', level: numberOrNull(data.level), ...(typeof data.cause === 'string' ? { cause: data.cause } : {}) },
          });
        }
        break;
      }
      case 'PAYLOAD_MODIFIED': {
        // Whose approvals the modification voided have the request back: they must approve the new payload.
        const requeued = approverIdsOf(data.requeued);
        if (requeued.length > 0) {
          intents.push({ ...base, event: NotificationEvent.ASSIGNED, approverIds: requeued, detail: { assignment: 'APPROVAL', level: numberOrNull(data.escalationLevel), cause: 'PAYLOAD_MODIFIED' } });
        }
        break;
      }
      case 'ACTION_DECIDED':
        votes.set(actionId, e);
        // A denial or a change request ends the request at once; an approval only with the quorum (ACTION_APPROVED follows).
        if (data.verdict !== 'APPROVE') pushDecided(e);
        break;
      default:
        if (TERMINAL_KINDS.has(e.kind)) pushDecided(e);
    }
  }
  return intents;

  function pushDecided(e: UnsealedAuditEvent): void {
    const actionId = e.subjectId!;
    if (born.has(actionId) || decided.has(actionId)) return;
    decided.add(actionId);
    // An approval whose modified payload the policy blocked did not decide the denial: the policy did.
    const cast = votes.get(actionId);
    const vote = cast && !(e.kind === 'ACTION_DENIED' && dataOf(cast).verdict === 'APPROVE') ? cast : undefined;
    const voteData = vote ? dataOf(vote) : {};
    const by = vote ?? e;
    intents.push({
      event: NotificationEvent.DECIDED,
      actionId,
      auditSeq: e.seq,
      at: new Date(e.at),
      approverIds: null,
      actorApproverId: by.actorType === 'APPROVER' ? by.actorId : null,
      detail: {
        decidedBy: { type: by.actorType, id: by.actorId },
        verdict: typeof voteData.verdict === 'string' ? voteData.verdict : null,
        // The approver's comment; for a cancellation the agent's reason, for an expiry the explanation.
        comment: firstString(voteData.comment, dataOf(e).reason, dataOf(e).detail),
      },
    });
  }
}
