import { actionUrl } from '../render.js';

/** A mail as written for one approver: the subject and the same content as plain text and HTML. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** What is known about a request when its mail is written (the stored body of an event mail: render.ts's JSON). */
interface StoredAction {
  id: string;
  type: string;
  summary: string;
  risk: { score: number; level: string };
  agent: { name: string };
  amount: { value: number; currency: string | null } | null;
  escalationLevel: number | null;
  deadline: string | null;
  requiredApprovals: number;
}

interface StoredEvent {
  event: 'ASSIGNED' | 'ESCALATED' | 'ABOUT_TO_EXPIRE' | 'DECIDED' | 'BREAK_GLASS';
  action: StoredAction;
  assignment?: 'APPROVAL' | 'REVIEW';
  cause?: string;
  escalation?: { fromLevel: number | null; toLevel: number | null };
}

/** One request in a digest. */
export interface DigestItem {
  id: string;
  type: string;
  summary: string;
  risk: { score: number; level: string };
  agent: { name: string };
  amount: { value: number; currency: string | null } | null;
  createdAt: string;
}

/** The stored body of a daily review digest (digest.ts). */
export interface DigestBody {
  id: string;
  event: 'DIGEST';
  day: string;
  recipients: { id: string; name: string }[];
  reviews: DigestItem[];
  /** Requests in the review queue, of which `reviews` are the oldest. */
  reviewCount: number;
  /** Requests waiting for the approver's approval, for a line at the end. */
  approvalCount: number;
}

export interface WriteOptions {
  /** Where the web app is (COUNTERSIGN_PUBLIC_URL): every link points there. */
  publicUrl: string;
  /** When the mail is written: deadlines are told relative to it. */
  now: Date;
}

/** The settings page, where the recipient changes which mails they get. */
export function settingsUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/settings`;
}

/** Agent-written text in HTML: every character that could open markup or an attribute is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** One line for a header: no line breaks or control characters (no header injection), clipped. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function formatAmount(amount: { value: number; currency: string | null } | null): string | null {
  if (!amount) return null;
  if (amount.currency && /^[A-Z]{3}$/.test(amount.currency)) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: amount.currency, maximumFractionDigits: 2 }).format(amount.value);
    } catch {
      // An unknown code: shown as given below.
    }
  }
  return `${amount.value.toLocaleString('en-US', { maximumFractionDigits: 2 })}${amount.currency ? ` ${amount.currency}` : ''}`;
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false });

/** A deadline as people read it in a mail: the UTC time and how far away it is when the mail is written. */
export function formatDeadline(deadline: string, now: Date): string {
  const at = new Date(deadline);
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  let relative: string;
  if (minutes <= 0) relative = 'passed';
  else if (minutes < 90) relative = `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  else if (minutes < 48 * 60) relative = `in ${Math.round(minutes / 60)} hours`;
  else relative = `in ${Math.round(minutes / 1440)} days`;
  return `${DATE_FORMAT.format(at)} UTC (${relative})`;
}

function headline(body: StoredEvent): { subject: string; lead: string } {
  const level = body.escalation?.toLevel ?? body.action.escalationLevel;
  switch (body.event) {
    case 'ASSIGNED':
      if (body.cause === 'PAYLOAD_MODIFIED') return { subject: 'Approve again', lead: 'The payload of a request you approved was changed: your approval no longer counts, and it waits for you again.' };
      if (body.cause) return { subject: 'Approval requested', lead: 'A request was passed to you (a delegation) and waits for your approval.' };
      return { subject: 'Approval requested', lead: 'A request waits for your approval.' };
    case 'ESCALATED':
      return { subject: `Escalated to you${level ? ` (level ${level})` : ''}`, lead: 'Nobody decided this request in time at the previous level: it now waits for your approval.' };
    case 'ABOUT_TO_EXPIRE':
      return { subject: 'Time is running out', lead: 'This request still waits for your approval, and its deadline is near.' };
    case 'DECIDED':
      return { subject: 'Request decided', lead: 'A request you were asked about was decided.' };
    case 'BREAK_GLASS':
      return { subject: 'Break-glass used: review it', lead: 'An agent broke the glass: this request ran at once without approval, and waits for your review before its deadline.' };
  }
}

type Row = [label: string, value: string | null];

function factRows(action: StoredAction, now: Date): Row[] {
  return [
    ['Risk', `${action.risk.level} (${action.risk.score}/100)`],
    ['Amount', formatAmount(action.amount)],
    ['Deadline', action.deadline ? formatDeadline(action.deadline, now) : null],
    ['Type', action.type],
    ['Agent', action.agent.name],
    ['Approvals needed', action.requiredApprovals > 1 ? String(action.requiredApprovals) : null],
  ];
}

function textRows(rows: Row[]): string {
  const shown = rows.filter((r): r is [string, string] => r[1] !== null);
  const width = Math.max(...shown.map(([label]) => label.length)) + 2;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** The HTML page around a mail's content: one narrow column with inline styles, as mail clients need. */
function page(title: string, content: string, footer: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
</head>
<body style="margin:0;padding:0;background:#f6f7f9;">
<div style="max-width:560px;margin:0 auto;padding:24px 16px;font-family:${FONT};font-size:15px;line-height:1.5;color:#1f2328;">
<div style="background:#ffffff;border:1px solid #d8dee4;border-radius:8px;padding:24px;">
${content}
</div>
<p style="margin:16px 4px 0;font-size:12px;color:#59636e;">${footer}</p>
</div>
</body>
</html>
`;
}

function htmlRows(rows: Row[]): string {
  return `<table role="presentation" style="border-collapse:collapse;margin:16px 0;width:100%;">${rows
    .filter((r): r is [string, string] => r[1] !== null)
    .map(([label, value]) => `<tr><th scope="row" style="text-align:left;font-weight:600;padding:4px 16px 4px 0;vertical-align:top;white-space:nowrap;color:#59636e;">${escapeHtml(label)}</th><td style="padding:4px 0;word-break:break-word;">${escapeHtml(value)}</td></tr>`)
    .join('')}</table>`;
}

function button(url: string, label: string): string {
  return `<p style="margin:24px 0 8px;"><a href="${escapeHtml(url)}" style="display:inline-block;background:#0969da;color:#ffffff;text-decoration:none;font-weight:600;padding:10px 18px;border-radius:6px;">${escapeHtml(label)}</a></p>`;
}

function footerText(publicUrl: string): string {
  return `You get this mail because you approve requests in Countersign. Choose which mails you get: ${settingsUrl(publicUrl)}`;
}

function footerHtml(publicUrl: string): string {
  return `You get this mail because you approve requests in Countersign. <a href="${escapeHtml(settingsUrl(publicUrl))}" style="color:#59636e;">Choose which mails you get</a>.`;
}

/**
 * The mail for an event about one request, for `name`: the summary, risk, amount, deadline
 * and the link to the request's page. Never the payload (the stored body has none), and
 * no way to decide from the mail: the link only opens the page, where the approver signs in.
 */
export function writeEventMail(stored: unknown, name: string, options: WriteOptions): MailContent {
  const body = stored as StoredEvent;
  const { action } = body;
  const { subject, lead } = headline(body);
  const url = actionUrl(options.publicUrl, action.id);
  const rows = factRows(action, options.now);
  const text = [
    `Hello ${name},`,
    '',
    lead,
    '',
    `  ${clip(action.summary, 2000).replace(/\n/g, '\n  ')}`,
    '',
    textRows(rows),
    '',
    'Open the request to see everything and decide:',
    url,
    '',
    '-- ',
    footerText(options.publicUrl),
    '',
  ].join('\n');
  const html = page(
    subject,
    `<p style="margin:0 0 8px;">Hello ${escapeHtml(name)},</p>
<p style="margin:0 0 16px;">${escapeHtml(lead)}</p>
<p style="margin:0;padding:12px 16px;background:#f6f8fa;border-left:4px solid #0969da;font-size:17px;font-weight:600;white-space:pre-wrap;word-break:break-word;">${escapeHtml(clip(action.summary, 2000))}</p>
${htmlRows(rows)}
${button(url, 'Open the request')}
<p style="margin:0;font-size:13px;color:#59636e;word-break:break-all;">${escapeHtml(url)}</p>`,
    footerHtml(options.publicUrl),
  );
  return { subject: `[Countersign] ${subject}: ${oneLine(action.summary, 100)}`, text, html };
}

/** The daily digest of a review queue: each request with its link, oldest first. */
export function writeDigestMail(body: DigestBody, name: string, options: WriteOptions): MailContent {
  const count = body.reviewCount;
  const noun = `${count} request${count === 1 ? '' : 's'}`;
  const subject = `${noun} to review`;
  const more = count - body.reviews.length;
  const reviewsUrl = `${options.publicUrl.replace(/\/+$/, '')}/reviews`;
  const itemText = (item: DigestItem) => {
    const amount = formatAmount(item.amount);
    return [`- ${oneLine(item.summary, 200)}`, `  ${item.risk.level} (${item.risk.score}/100)${amount ? ` · ${amount}` : ''} · ${item.type} · ${item.agent.name}`, `  ${actionUrl(options.publicUrl, item.id)}`].join('\n');
  };
  const approvals = body.approvalCount > 0 ? `You also have ${body.approvalCount} request${body.approvalCount === 1 ? '' : 's'} waiting for your approval.` : null;
  const text = [
    `Hello ${name},`,
    '',
    `These requests went ahead and wait for your review (acknowledge or flag them):`,
    '',
    body.reviews.map(itemText).join('\n\n'),
    ...(more > 0 ? ['', `… and ${more} more: ${reviewsUrl}`] : []),
    ...(approvals ? ['', approvals] : []),
    '',
    `Your review queue: ${reviewsUrl}`,
    '',
    '-- ',
    footerText(options.publicUrl),
    '',
  ].join('\n');
  const itemHtml = (item: DigestItem) => {
    const amount = formatAmount(item.amount);
    return `<li style="margin:0 0 14px;"><a href="${escapeHtml(actionUrl(options.publicUrl, item.id))}" style="color:#0969da;font-weight:600;word-break:break-word;">${escapeHtml(clip(item.summary, 300))}</a><br><span style="font-size:13px;color:#59636e;">${escapeHtml(`${item.risk.level} (${item.risk.score}/100)${amount ? ` · ${amount}` : ''} · ${item.type} · ${item.agent.name}`)}</span></li>`;
  };
  const html = page(
    subject,
    `<p style="margin:0 0 8px;">Hello ${escapeHtml(name)},</p>
<p style="margin:0 0 16px;">These requests went ahead and wait for your review (acknowledge or flag them):</p>
<ul style="margin:0;padding-left:20px;">${body.reviews.map(itemHtml).join('')}</ul>
${more > 0 ? `<p style="margin:0 0 8px;">… and ${more} more.</p>` : ''}
${approvals ? `<p style="margin:8px 0;">${escapeHtml(approvals)}</p>` : ''}
${button(reviewsUrl, 'Open your review queue')}`,
    footerHtml(options.publicUrl),
  );
  return { subject: `[Countersign] ${subject}`, text, html };
}
