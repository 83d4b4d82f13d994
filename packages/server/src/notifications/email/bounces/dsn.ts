import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Headers, Splitter, type MimeNode } from '@zone-eu/mailsplit';
import { verpDeliveryId } from './address.js';

/**
 * What a bounce says happened to one of our mails (RFC 3464 `Action` + `Status`):
 * - PERMANENT: the receiving side gave up for good (5.x.x: no such mailbox, rejected);
 * - TRANSIENT: a relay gave up after retrying a temporary condition (4.x.x: mailbox full,
 *   host unreachable for days) — worth sending again later;
 * - DELAYED: still being retried by a relay; nothing failed yet.
 */
export type BounceKind = 'PERMANENT' | 'TRANSIENT' | 'DELAYED';

/** A delivery status notification about one of our mails, as read from the report. */
export interface Bounce {
  /** The delivery it reports on (from the VERP address it came back to, or the returned headers). */
  deliveryId: string;
  kind: BounceKind;
  /** The RFC 3463 status code, e.g. `5.1.1`. */
  status: string | null;
  /** The remote server's words (Diagnostic-Code), on one line. */
  diagnostic: string | null;
  /** The SMTP reply code in those words (550), if any. */
  smtpCode: number | null;
  /** The address that failed (Final-Recipient), lower case. */
  recipient: string | null;
  /** Identifies this report: the same report read twice (two pollers, a re-delivered mail) is applied once. */
  reportKey: string;
}

/** How our mails are addressed, to recognise a report about one of them. */
export interface BounceAddressing {
  /** The domain our Message-IDs are made in (`<delivery id@domain>`). */
  messageIdDomain: string;
  /** COUNTERSIGN_MAIL_BOUNCE_ADDRESS, when mail goes out with VERP envelope senders. */
  bounceAddress: string | null;
}

/** Past these, a message is not a bounce worth parsing (reports are a few KB). */
const MAX_PARTS = 50;
const MAX_DIAGNOSTIC = 300;

interface Part {
  node: MimeNode;
  chunks: Buffer[];
}

/** The MIME parts of a message, in order, with their (still encoded) bodies; embedded messages kept whole. */
async function splitParts(raw: Buffer): Promise<Part[]> {
  const parts: Part[] = [];
  const splitter = new Splitter({ ignoreEmbedded: true, maxChildNodes: MAX_PARTS });
  await pipeline(
    Readable.from([raw]),
    splitter,
    new Writable({
      objectMode: true,
      write(chunk: MimeNode | { type: 'data' | 'body'; value: Buffer }, _encoding, done) {
        if (chunk.type === 'node') parts.push({ node: chunk as MimeNode, chunks: [] });
        else if (chunk.type === 'body' && parts.length > 0) parts[parts.length - 1]!.chunks.push((chunk as { value: Buffer }).value);
        done();
      },
    }),
  );
  return parts;
}

/** A part's body with its transfer encoding (base64, quoted-printable) undone. */
async function decoded(part: Part): Promise<string> {
  const decoder = part.node.getDecoder();
  const out: Buffer[] = [];
  await pipeline(Readable.from(part.chunks), decoder, new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(Buffer.from(chunk));
      done();
    },
  }));
  return Buffer.concat(out).toString('utf8');
}

/**
 * The field groups of a `message/delivery-status` body (RFC 3464 §2.1): the per-message
 * fields first, then one group per recipient; names lower-cased, folded lines unfolded.
 */
export function deliveryStatusGroups(body: string): Map<string, string>[] {
  const groups: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  let last: string | null = null;
  for (const line of body.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      current = null;
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line) && current && last) {
      current.set(last, `${current.get(last)} ${line.trim()}`);
      continue;
    }
    const field = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    if (!field) continue;
    if (!current) {
      current = new Map();
      groups.push(current);
    }
    last = field[1]!.toLowerCase();
    if (!current.has(last)) current.set(last, field[2]!.trim());
  }
  return groups;
}

/** `rfc822; someone@example.com` → the address; `smtp; 550 …` → the text. */
function typedValue(value: string | undefined): string | null {
  if (!value) return null;
  const semicolon = value.indexOf(';');
  const text = (semicolon >= 0 ? value.slice(semicolon + 1) : value).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

function clip(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The delivery a returned mail's headers name: our Message-ID `<id@domain>`, or our X-Countersign-Delivery header. */
function idsInReturnedHeaders(headerBlock: string, domain: string): string[] {
  const end = headerBlock.search(/\r?\n\r?\n/);
  const headers = new Headers(Buffer.from(end >= 0 ? headerBlock.slice(0, end + 1) : headerBlock));
  const ids: string[] = [];
  const messageId = /<([^<>@\s]+)@([^<>\s]+)>/.exec(headers.getFirst('message-id'));
  if (messageId && UUID.test(messageId[1]!) && messageId[2]!.toLowerCase() === domain) ids.push(messageId[1]!.toLowerCase());
  const header = headers.getFirst('x-countersign-delivery').trim();
  if (UUID.test(header)) ids.push(header.toLowerCase());
  return ids;
}

/** Headers in which mail systems record the address a message was delivered to (the VERP address, for a bounce). */
const RECIPIENT_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to'];

/**
 * Reads a delivery status notification (RFC 3464: `multipart/report;
 * report-type=delivery-status`, or its RFC 6533 `global` form) about one of our mails.
 * Null for anything else: a human's reply, an out-of-office notice (which refers to our
 * Message-ID too, but is no report), a positive report ("delivered", "relayed"), a report
 * about someone else's mail, or one whose VERP address and returned headers disagree.
 */
export async function readBounce(raw: Buffer, addressing: BounceAddressing): Promise<Bounce | null> {
  let parts: Part[];
  try {
    parts = await splitParts(raw);
  } catch {
    return null;
  }
  const root = parts[0];
  if (!root || root.node.contentType !== 'multipart/report' || !root.node.headers) return null;
  const rootHeaders = root.node.headers;
  if (!/report-type\s*=\s*"?(global-)?delivery-status"?/i.test(rootHeaders.getFirst('content-type'))) return null;

  const statusPart = parts.find((p) => p.node.contentType === 'message/delivery-status' || p.node.contentType === 'message/global-delivery-status');
  if (!statusPart) return null;
  const perRecipient = deliveryStatusGroups(await decoded(statusPart)).slice(1);
  const failed = perRecipient.find((g) => g.get('action')?.toLowerCase() === 'failed') ?? perRecipient.find((g) => g.get('action')?.toLowerCase() === 'delayed');
  if (!failed) return null;

  const ids = new Set<string>();
  const domain = addressing.messageIdDomain.toLowerCase();
  const returned = parts.find((p) => ['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers'].includes(String(p.node.contentType)));
  if (returned) for (const id of idsInReturnedHeaders(await decoded(returned), domain)) ids.add(id);
  if (addressing.bounceAddress) {
    for (const name of RECIPIENT_HEADERS) {
      for (const value of rootHeaders.get(name)) {
        for (const address of value.match(/[^\s<>,:;"]+@[^\s<>,;"]+/g) ?? []) {
          const id = verpDeliveryId(address, addressing.bounceAddress);
          if (id) ids.add(id);
        }
      }
    }
  }
  // None: not about our mail. More than one: the parts contradict each other; trust neither.
  if (ids.size !== 1) return null;
  const [deliveryId] = [...ids] as [string];

  const status = /^\s*([245])\.(\d{1,3})\.(\d{1,3})/.exec(failed.get('status') ?? '');
  const statusCode = status ? `${status[1]}.${Number(status[2])}.${Number(status[3])}` : null;
  const action = failed.get('action')!.toLowerCase();
  const kind: BounceKind = action === 'delayed' ? 'DELAYED' : statusCode?.startsWith('4') ? 'TRANSIENT' : 'PERMANENT';
  const diagnostic = clip(typedValue(failed.get('diagnostic-code')), MAX_DIAGNOSTIC);
  const smtpCode = /(?:^|\s)([245]\d\d)(?=[\s-]|$)/.exec(diagnostic ?? '')?.[1];
  const reportId = /<[^<>\s]+>/.exec(rootHeaders.getFirst('message-id'))?.[0] ?? createHash('sha256').update(raw).digest('hex');
  return {
    deliveryId,
    kind,
    status: statusCode,
    diagnostic,
    smtpCode: smtpCode ? Number(smtpCode) : null,
    recipient: typedValue(failed.get('final-recipient') ?? failed.get('original-recipient'))?.toLowerCase() ?? null,
    reportKey: `${deliveryId} ${reportId}`.slice(0, 500),
  };
}
