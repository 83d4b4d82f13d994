import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './process.js';

/** A mail as the test SMTP server received it, parsed by mailparser. */
export interface ReceivedMail {
  /** The envelope sender (MAIL FROM): where bounces go. */
  from: string;
  to: string[];
  messageId: string | undefined;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  /** The whole message as it arrived on the wire (headers and every part, encoded). */
  raw: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free local port, keeping what it
 * receives. `answer` decides each recipient: null accepts, a number refuses with that
 * reply code (421: try again later; 550: refused for good).
 */
export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  /** Recipients refused so far. */
  refused = 0;
  answer: (recipient: string) => number | null = () => null;
  private server: SMTPServer | null = null;

  private constructor(readonly port: number) {}

  /** Listens on `port` (a free one by default). */
  static async start(port?: number): Promise<TestSmtp> {
    const smtp = new TestSmtp(port ?? (await freePort()));
    await smtp.listen();
    return smtp;
  }

  /** A server for a port nobody listens on yet (an SMTP outage); `listen()` later brings it up. */
  static async down(): Promise<TestSmtp> {
    return new TestSmtp(await freePort());
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const code = this.answer(address.address);
        if (code === null) return callback();
        this.refused += 1;
        callback(Object.assign(new Error(code >= 500 ? 'No such mailbox here' : 'Busy, try again later'), { responseCode: code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              this.mails.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                messageId: parsed.messageId,
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                headers: parsed.headers,
                raw: raw.toString('utf8'),
              });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
