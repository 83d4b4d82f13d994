import { createTransport } from 'nodemailer';
import type { EmailConfig } from '../../config.js';
import type { MailContent } from './message.js';

/** How a send went, as the outbox records it. */
export type SendOutcome =
  | { ok: true; code: number | null }
  | { ok: false; permanent: boolean; code: number | null; error: string };

const MAX_ERROR_LENGTH = 500;

/**
 * An SMTP failure in words for the delivery log, and whether trying again can help: a 5xx
 * reply (a recipient refused, a message rejected: a bounce at send time) is permanent; a
 * 4xx reply (greylisting, "try again later"), a refused or dropped connection, a timeout
 * or a TLS failure is transient and retried with the outbox's backoff. The SMTP URL (which
 * may hold a password) never appears: only the reply and the error code.
 */
export function classifySmtpError(error: unknown): Extract<SendOutcome, { ok: false }> {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code !== null) {
    const reply = typeof e.response === 'string' ? e.response.replace(/[^\x20-\x7e]+/g, ' ').trim() : `${code}`;
    return { ok: false, permanent: code >= 500 && code < 600, code, error: `SMTP ${reply}`.slice(0, MAX_ERROR_LENGTH) };
  }
  const name = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'error';
  const detail = typeof e.message === 'string' ? e.message.replace(/smtps?:\/\/\S+/gi, '<smtp url>').replace(/[^\x20-\x7e]+/g, ' ').trim() : '';
  return { ok: false, permanent: false, code: null, error: `SMTP connection failed: ${name}${detail ? ` (${detail})` : ''}`.slice(0, MAX_ERROR_LENGTH) };
}

/** The domain of a From address (`Name <local@domain>` or `local@domain`), lower case. */
export function mailDomain(from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  return address.split('@').pop()!.trim().toLowerCase();
}

export interface Mail {
  to: { name: string; address: string };
  content: MailContent;
  /** The Message-ID, derived from the delivery id: a retried mail is the same message, so receivers can drop the copy. */
  messageId: string;
  /** Message-IDs this mail refers to: mails about one request thread together in a mail client. */
  references: string[];
  headers: Record<string, string>;
  /** The envelope sender bounces go back to (a VERP address); the From address when absent. */
  envelopeFrom?: string;
}

/** Sends mail through the configured SMTP server (nodemailer), one connection per message. */
export class Mailer {
  private readonly transport: ReturnType<typeof smtpTransport>;

  constructor(private readonly config: EmailConfig, timeoutMs: number) {
    this.transport = smtpTransport({
      url: config.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // Nothing of the SMTP conversation (credentials included) reaches the logs.
      logger: false,
      debug: false,
    });
  }

  /** The domain of the From address: Message-IDs are made in it. */
  get domain(): string {
    return mailDomain(this.config.from);
  }

  async send(mail: Mail, signal: AbortSignal): Promise<SendOutcome> {
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: mail.to,
        subject: mail.content.subject,
        text: mail.content.text,
        html: mail.content.html,
        messageId: mail.messageId,
        references: mail.references,
        headers: mail.headers,
        ...(mail.envelopeFrom ? { envelope: { from: mail.envelopeFrom, to: [mail.to.address] } } : {}),
        signal,
      });
      const code = /^(\d{3})/.exec(String((info as { response?: unknown }).response ?? ''))?.[1];
      return { ok: true, code: code ? Number(code) : null };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

function smtpTransport(options: { url: string; connectionTimeout: number; greetingTimeout: number; socketTimeout: number; logger: false; debug: false }) {
  return createTransport(options);
}
