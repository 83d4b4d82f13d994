import { assertNever } from '../shared/enums.js';
import type { NotificationIntent } from './intents.js';
import { NotificationEvent, WebhookFormat } from './webhook.entity.js';

/** What a message says about the request (never its payload or context: those stay in Countersign). */
export interface ActionFacts {
  id: string;
  type: string;
  summary: string;
  status: string;
  statusReason: string | null;
  mode: string;
  risk: { score: number; level: string };
  agent: { id: string; name: string };
  amount: { value: number; currency: string | null } | null;
  escalationLevel: number | null;
  deadline: Date | null;
  requiredApprovals: number;
}

export interface Person {
  id: string;
  name: string;
}

export interface Message {
  /** The delivery id, which is also the idempotency id. */
  id: string;
  intent: NotificationIntent;
  action: ActionFacts;
  /** Whom this endpoint is told on behalf of: its approver, or the role's holders concerned. */
  recipients: Person[];
  /** The name of the approver who decided (DECIDED), when one did. */
  decidedByName: string | null;
}

/** The body of one delivery, in the endpoint's format. */
export function renderBody(format: WebhookFormat, message: Message): Record<string, unknown> {
  switch (format) {
    case WebhookFormat.JSON:
      return renderJson(message);
    case WebhookFormat.SLACK:
      return renderSlack(message);
    default:
      return assertNever(format);
  }
}

/** The JSON format: stable field names for programs. */
export function renderJson({ id, intent, action, recipients, decidedByName }: Message): Record<string, unknown> {
  const { detail } = intent;
  return {
    id,
    event: intent.event,
    occurredAt: intent.at.toISOString(),
    auditSeq: intent.auditSeq,
    recipients,
    action: {
      id: action.id,
      type: action.type,
      summary: action.summary,
      status: action.status,
      statusReason: action.statusReason,
      mode: action.mode,
      risk: action.risk,
      agent: action.agent,
      amount: action.amount,
      escalationLevel: action.escalationLevel,
      deadline: action.deadline?.toISOString() ?? null,
      requiredApprovals: action.requiredApprovals,
    },
    ...(detail.assignment ? { assignment: detail.assignment } : {}),
    ...(detail.cause ? { cause: detail.cause } : {}),
    ...(detail.breakGlass ? { breakGlass: detail.breakGlass } : {}),
    ...(intent.event === NotificationEvent.ESCALATED ? { escalation: { fromLevel: detail.fromLevel ?? null, toLevel: detail.toLevel ?? null } } : {}),
    ...(intent.event === NotificationEvent.DECIDED
      ? {
          decision: {
            status: action.status,
            reason: action.statusReason,
            by: { type: detail.decidedBy?.type ?? 'SYSTEM', id: detail.decidedBy?.id ?? null, name: decidedByName },
            verdict: detail.verdict ?? null,
            comment: detail.comment ?? null,
          },
        }
      : {}),
  };
}

/** Slack's mrkdwn treats &, < and > as markup (`<!channel>`, links): agent-written text must not. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function headline(message: Message): string {
  const { intent, action } = message;
  switch (intent.event) {
    case NotificationEvent.ASSIGNED:
      return intent.detail.assignment === 'REVIEW' ? 'Review requested' : 'Approval requested';
    case NotificationEvent.ESCALATED:
      return `Escalated to level ${intent.detail.toLevel ?? action.escalationLevel ?? '?'}: ${intent.detail.assignment === 'REVIEW' ? 'review' : 'approval'} requested`;
    case NotificationEvent.ABOUT_TO_EXPIRE:
      return 'About to time out: approval still needed';
    case NotificationEvent.DECIDED:
      return `Request ${action.status.toLowerCase().replace(/_/g, ' ')}`;
    case NotificationEvent.BREAK_GLASS:
      return 'Break-glass: approved with nobody deciding, review required';
    default:
      return assertNever(intent.event);
  }
}

function slackDate(date: Date): string {
  const epoch = Math.floor(date.getTime() / 1000);
  return `<!date^${epoch}^{date_short_pretty} {time}|${date.toISOString()}>`;
}

function decidedBy(message: Message): string {
  const by = message.intent.detail.decidedBy;
  if (!by || by.type === 'SYSTEM') return 'Countersign';
  if (by.type === 'AGENT') return `agent ${message.action.agent.name}`;
  return message.decidedByName ?? by.id ?? by.type.toLowerCase();
}

/**
 * The SLACK format: an incoming-webhook message, `{text, blocks}` — `text` is the
 * notification and fallback line, the blocks show the summary, risk, deadline and whom
 * it is for.
 */
export function renderSlack(message: Message): { text: string; blocks: unknown[] } {
  const { intent, action, recipients } = message;
  const title = headline(message);
  const who = recipients.map((r) => r.name).join(', ');
  const summary = escapeSlack(clip(action.summary, 500));
  const risk = `${action.risk.level} (${action.risk.score})`;
  const text = `${title}: ${summary} — risk ${risk}${intent.event === NotificationEvent.DECIDED ? '' : who ? ` — for ${escapeSlack(who)}` : ''}`;

  const fields: { type: 'mrkdwn'; text: string }[] = [
    { type: 'mrkdwn', text: `*Risk*\n${risk}` },
    { type: 'mrkdwn', text: `*Agent*\n${escapeSlack(action.agent.name)}` },
  ];
  if (intent.event !== NotificationEvent.DECIDED && action.deadline) fields.push({ type: 'mrkdwn', text: `*Deadline*\n${slackDate(action.deadline)}` });
  if (action.amount) fields.push({ type: 'mrkdwn', text: `*Amount*\n${action.amount.value}${action.amount.currency ? ` ${escapeSlack(action.amount.currency)}` : ''}` });
  if (who) fields.push({ type: 'mrkdwn', text: `*For*\n${escapeSlack(clip(who, 500))}` });
  if (intent.event === NotificationEvent.DECIDED) fields.push({ type: 'mrkdwn', text: `*Decided by*\n${escapeSlack(decidedBy(message))}` });

  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${summary}*\n\`${escapeSlack(clip(action.type, 200))}\`` } },
    { type: 'section', fields },
  ];
  if (intent.event === NotificationEvent.DECIDED && intent.detail.comment) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `> ${escapeSlack(clip(intent.detail.comment, 2000)).replace(/\n/g, '\n> ')}` } });
  }
  if (intent.detail.breakGlass) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Justification*\n> ${escapeSlack(clip(intent.detail.breakGlass.justification, 2000)).replace(/\n/g, '\n> ')}` } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Request \`${action.id}\`${action.escalationLevel ? ` · level ${action.escalationLevel}` : ''} · ${intent.event}` }] });
  return { text, blocks };
}

/** The web app's page of a request: every notification links there (DESIGN §10). */
export function actionUrl(publicUrl: string, actionId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/actions/${encodeURIComponent(actionId)}`;
}

/**
 * A stored body with the link to the request's page, as it is sent: JSON gains `url`; a
 * Slack message gains a button that opens the page (before its closing context line) and
 * the link in its fallback text. The link is added when the body is sent, not when it is
 * written, so it is always the public URL in force (COUNTERSIGN_PUBLIC_URL).
 */
export function withLink(format: WebhookFormat, body: unknown, url: string | null): unknown {
  if (url === null || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const message = body as Record<string, unknown>;
  switch (format) {
    case WebhookFormat.JSON:
      return { ...message, url };
    case WebhookFormat.SLACK: {
      if (!Array.isArray(message.blocks)) return body;
      const blocks = [...(message.blocks as unknown[])];
      const button = { type: 'actions', elements: [{ type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open' }, url, style: 'primary' }] };
      const last = blocks[blocks.length - 1] as { type?: string } | undefined;
      blocks.splice(last?.type === 'context' ? blocks.length - 1 : blocks.length, 0, button);
      return { ...message, text: typeof message.text === 'string' ? `${message.text} — <${url}|Open>` : message.text, blocks };
    }
    default:
      return assertNever(format);
  }
}

/** What is sent for a stored delivery body: with the link to its request's page, when it has one. */
export function sentBody(format: WebhookFormat, body: unknown, actionId: string | null, publicUrl: string | null): unknown {
  return actionId === null || publicUrl === null ? body : withLink(format, body, actionUrl(publicUrl, actionId));
}
