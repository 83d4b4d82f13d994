import { escapeSlack, renderSlack, type ActionFacts } from '../render.js';
import type { IntentDetail, NotificationIntent } from '../intents.js';
import { NotificationEvent } from '../webhook.entity.js';

/**
 * The `action_id`s of the buttons. Deny's `value` is the request's id; Approve's is the id
 * and the payload hash of the candidate the message was written for (see {@link approveValue}).
 */
export const SlackButton = { APPROVE: 'countersign_approve', DENY: 'countersign_deny', OPEN: 'countersign_open' } as const;

/**
 * The value of an Approve button: `<request id>:<candidate payload hash>`, so a click on a
 * message written before another approver changed the payload is refused (decide's
 * `expectedPayloadHash`) rather than counted for a payload the message never stood for.
 */
export function approveValue(actionId: string, candidatePayloadHash: string | null): string {
  return candidatePayloadHash === null ? actionId : `${actionId}:${candidatePayloadHash}`;
}

/**
 * A button's value read back: the request id, and the candidate hash when the button carries
 * one (messages posted before buttons carried it have only the id, and vote as they did).
 */
export function readButtonValue(value: string): { actionId: string; expectedPayloadHash: string | null } {
  const colon = value.indexOf(':');
  return colon < 0 ? { actionId: value, expectedPayloadHash: null } : { actionId: value.slice(0, colon), expectedPayloadHash: value.slice(colon + 1) };
}

/** The intent's facts as a Slack delivery stores them (slack.outbox.ts). */
export type StoredDetail = IntentDetail & { auditSeq?: number; at?: string };

export interface SlackText {
  text: string;
  blocks: unknown[];
}

/**
 * Why a request cannot be decided with a button in Slack, or null when it can: only a
 * pending request waiting for one approval, below CRITICAL, gets Approve and Deny. A
 * CRITICAL one, one needing a quorum, or a review (ASYNC_REVIEW, already approved) is
 * decided in the web app, where the whole request is in view (DESIGN §14).
 */
export function whyNotInSlack(action: { status: string; riskLevel: string; requiredApprovals: number }): string | null {
  if (action.status !== 'PENDING') return `it is already ${action.status.toLowerCase().replace(/_/g, ' ')}`;
  if (action.riskLevel === 'CRITICAL') return 'it is CRITICAL: decide it in Countersign, with the whole request in view';
  if (action.requiredApprovals > 1) return `it needs ${action.requiredApprovals} approvals: decide it in Countersign`;
  return null;
}

function intentOf(event: NotificationEvent, action: ActionFacts, detail: StoredDetail): NotificationIntent {
  return {
    event, actionId: action.id, auditSeq: detail.auditSeq ?? 0, at: detail.at ? new Date(detail.at) : new Date(),
    approverIds: null, actorApproverId: null, detail,
  };
}

function openButton(url: string) {
  return { type: 'button', action_id: SlackButton.OPEN, text: { type: 'plain_text', text: 'Open' }, url };
}

/** Puts `element` before the closing context line of a renderSlack message. */
function beforeContext(blocks: unknown[], element: unknown): unknown[] {
  const copy = [...blocks];
  const last = copy[copy.length - 1] as { type?: string } | undefined;
  copy.splice(last?.type === 'context' ? copy.length - 1 : copy.length, 0, element);
  return copy;
}

/**
 * The direct message to one assignee: the webhook's Slack message (summary, risk, agent,
 * deadline, amount — never the payload) with Approve, Deny and Open, or only Open (and
 * why) when {@link whyNotInSlack} says so. `candidatePayloadHash`: the hash of the payload
 * up for approval as the message is written, carried by Approve.
 */
export function renderDirectMessage(event: NotificationEvent, action: ActionFacts, detail: StoredDetail, recipientName: string, url: string, candidatePayloadHash: string | null = null): SlackText {
  const base = renderSlack({ id: '', intent: intentOf(event, action, detail), action, recipients: [{ id: '', name: recipientName }], decidedByName: null });
  const refusal = detail.assignment === 'REVIEW' ? 'it ran already and waits for your review' : whyNotInSlack({ status: action.status, riskLevel: action.risk.level, requiredApprovals: action.requiredApprovals });
  const elements: unknown[] = [];
  if (refusal === null) {
    elements.push(
      {
        type: 'button', action_id: SlackButton.APPROVE, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: approveValue(action.id, candidatePayloadHash),
        confirm: { title: { type: 'plain_text', text: 'Approve?' }, text: { type: 'plain_text', text: 'The agent may then go ahead with this request as submitted.' }, confirm: { type: 'plain_text', text: 'Approve' }, deny: { type: 'plain_text', text: 'Cancel' } },
      },
      { type: 'button', action_id: SlackButton.DENY, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: action.id },
    );
  }
  elements.push(openButton(url));
  let blocks = beforeContext(base.blocks, { type: 'actions', block_id: 'countersign_decide', elements });
  if (refusal !== null) blocks = beforeContext(blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: `Not decided here: ${refusal}.` }] });
  return { text: `${base.text} — <${url}|Open>`, blocks };
}

/** Who ended a request, in words: the approver's name, the agent, or Countersign itself (an expiry). */
export function deciderName(detail: StoredDetail, action: ActionFacts, approverName: string | null): string {
  const by = detail.decidedBy;
  if (!by || by.type === 'SYSTEM') return 'Countersign';
  if (by.type === 'AGENT') return `agent ${action.agent.name}`;
  return approverName ?? 'an approver';
}

/** What a message becomes once its request has ended: its outcome and who decided, with Open; no more buttons. */
export function renderDecidedMessage(action: ActionFacts, detail: StoredDetail, decidedBy: string, url: string): SlackText {
  const base = renderSlack({ id: '', intent: intentOf(NotificationEvent.DECIDED, action, detail), action, recipients: [], decidedByName: decidedBy });
  const outcome = action.status.charAt(0) + action.status.slice(1).toLowerCase().replace(/_/g, ' ');
  const headline = action.status === 'EXPIRED' || action.status === 'CANCELLED' ? `${outcome} (${decidedBy})` : `${outcome} by ${decidedBy}`;
  const blocks = [...base.blocks];
  blocks[0] = { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } };
  return { text: `${escapeSlack(headline)}: ${base.text.replace(/^[^:]*: /, '')} — <${url}|Open>`, blocks: beforeContext(blocks, { type: 'actions', block_id: 'countersign_open', elements: [openButton(url)] }) };
}

/**
 * What an earlier level's message becomes once the request escalated past it: it no longer
 * waits for its reader, so Approve and Deny go (a click would be refused anyway) and Open
 * stays; the next level got messages of its own.
 */
export function renderEscalatedAwayMessage(action: ActionFacts, detail: StoredDetail, url: string): SlackText {
  const base = renderSlack({ id: '', intent: intentOf(NotificationEvent.ESCALATED, action, detail), action, recipients: [], decidedByName: null });
  const headline = detail.toLevel ? `Escalated to level ${detail.toLevel} — no longer waiting for you` : 'Escalated — no longer waiting for you';
  const blocks = [...base.blocks];
  blocks[0] = { type: 'header', text: { type: 'plain_text', text: headline } };
  return { text: `${escapeSlack(headline)}: ${base.text.replace(/^[^:]*: /, '')} — <${url}|Open>`, blocks: beforeContext(blocks, { type: 'actions', block_id: 'countersign_open', elements: [openButton(url)] }) };
}
