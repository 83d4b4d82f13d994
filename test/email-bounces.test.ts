import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@countersign/server';
import { runCli } from '@countersign/admin-cli/testing';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createAgent, createApprover, startServer, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';
import { TestSmtp, type ReceivedMail } from './support/smtp.js';
import { TestImap } from './support/imap.js';

const PUBLIC_URL = 'https://countersign.example.com';
const BOUNCE_ADDRESS = 'bounces@cs.example.com';

const DELIVERIES = `query($filter: NotificationDeliveryFilter) {
  notificationDeliveries(filter: $filter, first: 100) {
    totalCount
    nodes { id channel event actionId status attempts lastError lastStatusCode deliveredAt bouncedAt recipient { name } }
  }
}`;

type Delivery = { id: string; status: string; attempts: number; lastError: string | null; lastStatusCode: number | null; bouncedAt: string | null; recipient: { name: string } | null };

/** Every line the server logs: the mailbox's password must never be among them. */
const lines: string[] = [];

/**
 * A delivery status notification (RFC 3464) for `original`, as the recipient's mail system
 * writes one: to the envelope sender the mail came from (the VERP address), quoting the
 * original's headers. `id` makes each report a different message.
 */
function bounceFor(original: ReceivedMail, report: { id: string; action: 'failed' | 'delayed'; status: string; diagnostic: string }): string {
  const headerEnd = original.raw.search(/\r?\n\r?\n/);
  const returnedHeaders = original.raw.slice(0, headerEnd).replace(/\r?\n/g, '\r\n');
  const recipient = original.to[0]!;
  return [
    'Return-Path: <>',
    `Delivered-To: ${original.from}`,
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    `To: ${original.from}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-Id: <${report.id}@mx.example.net>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="report-boundary"',
    '',
    '--report-boundary',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `I'm sorry to have to inform you that your message could not be delivered to <${recipient}>.`,
    '',
    '--report-boundary',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${report.action}`,
    `Status: ${report.status}`,
    'Remote-MTA: dns; mail.example.com',
    `Diagnostic-Code: smtp; ${report.diagnostic}`,
    '',
    '--report-boundary',
    'Content-Type: text/rfc822-headers',
    '',
    returnedHeaders,
    '',
    '--report-boundary--',
    '',
  ].join('\r\n');
}

describe('bounces that come back after the mail was sent (a real SMTP server and a real IMAP mailbox)', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let imap: TestImap;
  let server: TestServer;
  let agent: { id: string; apiKey: string };
  let fiona: { id: string; token: string };
  let serial = 0;
  let delivered = 0;

  const deliveries = async (filter: Record<string, unknown>, token = server.adminToken) =>
    (await gqlOk(server.url, DELIVERIES, { filter }, token)).notificationDeliveries as { totalCount: number; nodes: Delivery[] };
  /** Submits a request for the finance role and waits for the mail to `name` to be accepted: the mail and its delivery. */
  const mailed = async (name: string): Promise<{ mail: ReceivedMail; delivery: Delivery }> => {
    const action = await submit(server, agent.apiKey, { ...INPUTS.sync, summary: `Pay supplier ${++serial}`, idempotencyKey: `bounce-${serial}-${Date.now()}` });
    const mail = await waitFor(() => smtp.mailsTo(`${name}@example.com`).find((m) => m.text.includes(`/actions/${action.id}`)), { what: `the mail to ${name}` });
    const delivery = await waitFor(async () => (await deliveries({ channel: 'EMAIL', actionId: action.id })).nodes.find((d) => d.recipient?.name === name && d.status === 'DELIVERED'), { what: 'the delivery recorded' });
    return { mail, delivery };
  };
  /** The bounce mailbox as the mail system fills it: each report delivered unread; waits until the server has read them all. */
  const deliverToMailbox = async (...messages: string[]) => {
    for (const message of messages) await imap.deliver(message);
    delivered += messages.length;
    await imap.allRead(delivered);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await TestSmtp.start();
    imap = await TestImap.start();
    server = await startServer({
      database,
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
      env: {
        COUNTERSIGN_SMTP_URL: smtp.url,
        COUNTERSIGN_MAIL_FROM: 'Countersign <countersign@example.com>',
        COUNTERSIGN_MAIL_BOUNCE_ADDRESS: BOUNCE_ADDRESS,
        COUNTERSIGN_BOUNCE_IMAP_URL: imap.url,
        COUNTERSIGN_BOUNCE_POLL_MS: '100',
        COUNTERSIGN_PUBLIC_URL: PUBLIC_URL,
        COUNTERSIGN_WEBHOOK_POLL_MS: '50',
        COUNTERSIGN_WEBHOOK_BACKOFF_MS: '100',
        COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '400',
        COUNTERSIGN_WEBHOOK_MAX_ATTEMPTS: '3',
      },
    });
    fiona = await createApprover(server, 'fiona', ['finance']);
    await createApprover(server, 'felix', ['finance']);
    await createApprover(server, 'lars', ['finance-lead']);
    await createApprover(server, 'cfo');
    agent = await createAgent(server, 'ap-agent');
    await apply(server, governanceYaml());
  });
  afterAll(async () => {
    await server?.dispose();
    await imap?.stop();
    await smtp?.stop();
    await database?.drop();
  });

  it('sends each mail from its own bounce address, which names the delivery (VERP)', async () => {
    const { mail, delivery } = await mailed('fiona');
    expect(mail.from).toBe(`bounces+${delivery.id}@cs.example.com`);
    // The From header readers see stays the configured one.
    expect(mail.headers.get('from')).toMatchObject({ value: [{ name: 'Countersign', address: 'countersign@example.com' }] });
  });

  it('a permanent bounce fails the delivery with the server\'s words, shown to admins (GraphQL and CLI) and to no one else; a retry sends it again', async () => {
    const { mail, delivery } = await mailed('fiona');
    await deliverToMailbox(bounceFor(mail, { id: 'hard-1', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <fiona@example.com>: Recipient address rejected: User unknown in virtual mailbox table' }));

    const bounced = (await deliveries({ bounced: true })).nodes;
    expect(bounced.map((d) => d.id)).toEqual([delivery.id]);
    expect(bounced[0]).toMatchObject({
      status: 'FAILED', attempts: 1, lastStatusCode: 550,
      lastError: 'bounced after it was sent for fiona@example.com: 5.1.1 550 5.1.1 <fiona@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(bounced[0]!.bouncedAt).not.toBeNull();
    expect((await deliveries({ status: 'FAILED', bounced: false })).totalCount).toBe(0);

    // The approver it bounced for cannot read the delivery log.
    expect(errorCode(await gql(server.url, DELIVERIES, { filter: { bounced: true } }, fiona.token))).toBe('FORBIDDEN');

    const home = await mkdtemp(join(tmpdir(), 'countersign-bounce-cli-'));
    try {
      const cli = await runCli(['deliveries', '--bounced', '--json'], { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: server.adminToken } });
      expect(cli.code, cli.stderr).toBe(0);
      const listed = JSON.parse(cli.stdout) as { nodes: { id: string; status: string; bouncedAt: string | null; lastError: string }[] };
      expect(listed.nodes.map((d) => d.id)).toEqual([delivery.id]);
      expect(listed.nodes[0]!.lastError).toContain('User unknown');
      const table = await runCli(['deliveries', '--bounced'], { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: server.adminToken, COLUMNS: '200' } });
      expect(table.stdout).toMatch(/bounced/);
      expect(table.stdout).toContain('5.1.1');
    } finally {
      await rm(home, { recursive: true, force: true });
    }

    // After the address is fixed, an admin retries: the mail goes out again and is delivered.
    const before = smtp.mailsTo('fiona@example.com').length;
    await gqlOk(server.url, 'mutation($id: ID!) { retryNotificationDelivery(id: $id) { id status } }', { id: delivery.id }, server.adminToken);
    await waitFor(() => smtp.mailsTo('fiona@example.com').length > before, { what: 'the retried mail' });
    await waitFor(async () => (await deliveries({ bounced: true })).nodes[0]?.status === 'DELIVERED', { what: 'the retry recorded' });
  });

  it('a temporary bounce (the relay gave up on a full mailbox) sends the mail again with the same Message-ID, as a failure at send time would', async () => {
    const { mail, delivery } = await mailed('felix');
    await deliverToMailbox(bounceFor(mail, { id: 'soft-1', action: 'failed', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' }));

    const copies = await waitFor(() => {
      const found = smtp.mailsTo('felix@example.com').filter((m) => m.messageId === mail.messageId);
      return found.length === 2 ? found : undefined;
    }, { what: 'the mail sent again' });
    expect(copies[1]!.from).toBe(mail.from);
    const again = await waitFor(async () => (await deliveries({ bounced: true })).nodes.find((d) => d.id === delivery.id && d.status === 'DELIVERED' && d.attempts === 2), { what: 'the second attempt recorded' });
    expect(again.bouncedAt).not.toBeNull();
  });

  it('notes a delay without failing; ignores an out-of-office reply, a report read twice, and a forged report for a mail it never sent', async () => {
    const { mail, delivery } = await mailed('felix');
    const soft = bounceFor(mail, { id: 'soft-twice', action: 'failed', status: '4.4.1', diagnostic: '421 4.4.1 No answer from host' });
    const outOfOffice = [
      `From: felix@example.com`, `To: ${mail.from}`, 'Subject: Out of office', `In-Reply-To: ${mail.messageId}`, `References: ${mail.messageId}`,
      'Auto-Submitted: auto-replied', 'Message-Id: <ooo-1@example.com>', '', 'I am away until Monday.', '',
    ].join('\r\n');
    const forged = bounceFor({ ...mail, from: `bounces+00000000-0000-4000-8000-000000000000@cs.example.com`, raw: 'Message-ID: <00000000-0000-4000-8000-000000000000@example.com>\r\n\r\n' }, { id: 'forged', action: 'failed', status: '5.1.1', diagnostic: '550 no' });
    await deliverToMailbox(
      bounceFor(mail, { id: 'delay-1', action: 'delayed', status: '4.4.7', diagnostic: '451 4.4.7 Greylisted, still trying' }),
      outOfOffice,
      forged,
    );
    const noted = (await deliveries({ channel: 'EMAIL' })).nodes.find((d) => d.id === delivery.id)!;
    expect(noted).toMatchObject({ status: 'DELIVERED', attempts: 1, bouncedAt: null });
    expect(noted.lastError).toContain('delayed by a mail server on the way');

    // The same report delivered twice (two copies in the mailbox) sends the mail again once.
    await deliverToMailbox(soft, soft);
    await waitFor(async () => (await deliveries({ bounced: true })).nodes.find((d) => d.id === delivery.id && d.status === 'DELIVERED' && d.attempts === 2), { what: 'the resend after the temporary bounce' });
    // Every message in the mailbox is read; the delivery was sent twice in all, not three times.
    await imap.allRead(delivered);
    expect(smtp.mailsTo('felix@example.com').filter((m) => m.messageId === mail.messageId)).toHaveLength(2);
    const rows = await database.query<{ count: string }>('select count(*) from "email_bounce" where "delivery_id" = $1', [delivery.id]);
    expect(Number(rows[0]!.count)).toBe(2);
  });

  it('keeps sending mail while the mailbox refuses it, says so once in the log, and never logs the password', async () => {
    expect(lines.some((line) => line.includes('a bounce came back for a mail'))).toBe(true);
    expect(lines.join('\n')).not.toContain(imap.password);

    const wrong = `wrong-${imap.password}`;
    const other: string[] = [];
    const otherDatabase = await createTestDatabase();
    const otherServer = await startServer({
      database: otherDatabase,
      logger: createLogger('info', { write: (line: string) => void other.push(line) }),
      env: {
        COUNTERSIGN_SMTP_URL: smtp.url, COUNTERSIGN_MAIL_FROM: 'countersign@example.com', COUNTERSIGN_PUBLIC_URL: PUBLIC_URL,
        COUNTERSIGN_BOUNCE_IMAP_URL: imap.url.replace(`:${imap.password}@`, `:${wrong}@`), COUNTERSIGN_BOUNCE_POLL_MS: '100', COUNTERSIGN_WEBHOOK_POLL_MS: '50',
      },
    });
    try {
      await waitFor(() => other.some((line) => line.includes('could not read the bounce mailbox')), { what: 'the refusal logged' });
      const approver = await gqlOk(otherServer.url, 'mutation { createApprover(input: {name: "olga", roles: ["finance"], email: "olga@example.com"}) { approver { id } } }', {}, otherServer.adminToken);
      expect(approver.createApprover.approver.id).toBeTruthy();
      const otherAgent = await createAgent(otherServer, 'other-agent');
      await apply(otherServer, governanceYaml());
      const action = await submit(otherServer, otherAgent.apiKey, { ...INPUTS.sync, idempotencyKey: `other-${Date.now()}` });
      await waitFor(() => smtp.mailsTo('olga@example.com').find((m) => m.text.includes(`/actions/${action.id}`)), { what: 'mail sent while bounces cannot be read' });
      // Another look refused (Dovecot makes a repeated refusal wait a few seconds), still one line.
      const refusedBefore = await imap.refusedLogins();
      await waitFor(async () => (await imap.refusedLogins()) > refusedBefore, { what: 'another look refused' });
      const warnings = other.filter((line) => line.includes('could not read the bounce mailbox'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('Authentication failed');
      expect(other.join('\n')).not.toContain(wrong);
    } finally {
      await otherServer.dispose();
      await otherDatabase.drop();
    }
  });
});
