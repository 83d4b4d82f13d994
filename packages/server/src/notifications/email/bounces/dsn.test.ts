import { describe, expect, it } from 'vitest';
import { deliveryStatusGroups, readBounce, type BounceAddressing } from './dsn.js';

const ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const OTHER = '9f0c6a3e-55d1-4b8e-9c1a-2b7e4f6d8a10';
const ours: BounceAddressing = { messageIdDomain: 'example.com', bounceAddress: 'bounces@cs.example.com' };

interface ReportOptions {
  to?: string;
  action?: string;
  status?: string;
  diagnostic?: string;
  returned?: string | null;
  returnedType?: string;
  statusEncoding?: 'base64';
  reportType?: string;
  messageId?: string;
}

/** A delivery status notification as Postfix writes one (RFC 3464). */
function report(o: ReportOptions = {}): Buffer {
  const fields = [
    'Final-Recipient: rfc822; fiona@example.com',
    'Original-Recipient: rfc822;fiona@example.com',
    `Action: ${o.action ?? 'failed'}`,
    `Status: ${o.status ?? '5.1.1'}`,
    'Remote-MTA: dns; mail.example.com',
    `Diagnostic-Code: ${o.diagnostic ?? 'smtp; 550 5.1.1 <fiona@example.com>: Recipient address\r\n    rejected: User unknown'}`,
  ].join('\r\n');
  const status = `Reporting-MTA: dns; mx.example.net\r\nArrival-Date: Sat,  5 Dec 2026 06:19:58 +0000 (UTC)\r\n\r\n${fields}\r\n`;
  const returned = o.returned === undefined ? `From: Countersign <countersign@example.com>\r\nTo: fiona <fiona@example.com>\r\nSubject: [Countersign] Approval requested\r\nMessage-ID: <${ID}@example.com>\r\nX-Countersign-Delivery: ${ID}\r\n` : o.returned;
  return Buffer.from([
    'Return-Path: <>',
    `Delivered-To: ${o.to ?? `bounces+${ID}@cs.example.com`}`,
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    `To: ${o.to ?? `bounces+${ID}@cs.example.com`}`,
    `Message-Id: ${o.messageId ?? '<20261205062000.ABC@mx.example.net>'}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${o.reportType ?? 'delivery-status'};\r\n\tboundary="B1"`,
    '',
    '--B1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered.',
    '',
    '--B1',
    `Content-Type: message/${o.reportType === 'global-delivery-status' ? 'global-' : ''}delivery-status`,
    ...(o.statusEncoding ? ['Content-Transfer-Encoding: base64'] : []),
    '',
    o.statusEncoding ? Buffer.from(status).toString('base64').replace(/.{76}/g, '$&\r\n') : status,
    ...(returned === null ? [] : ['--B1', `Content-Type: ${o.returnedType ?? 'text/rfc822-headers'}`, '', returned]),
    '--B1--',
    '',
  ].join('\r\n'));
}

describe('reading a delivery status notification', () => {
  it('reads a permanent bounce: the delivery, the status, the server\'s words on one line and its SMTP code', async () => {
    expect(await readBounce(report(), ours)).toEqual({
      deliveryId: ID,
      kind: 'PERMANENT',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <fiona@example.com>: Recipient address rejected: User unknown',
      smtpCode: 550,
      recipient: 'fiona@example.com',
      reportKey: `${ID} <20261205062000.ABC@mx.example.net>`,
    });
  });

  it('tells a relay that gave up on a temporary condition (4.x.x) and a delay apart from a permanent failure', async () => {
    expect(await readBounce(report({ status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 Mailbox full' }), ours)).toMatchObject({ kind: 'TRANSIENT', status: '4.2.2', smtpCode: 452 });
    expect(await readBounce(report({ action: 'delayed', status: '4.4.7', diagnostic: 'X-Postfix; connect to mail.example.com timed out' }), ours)).toMatchObject({ kind: 'DELAYED', status: '4.4.7', smtpCode: null });
  });

  it('ignores a positive report and anything that is no report: a reply, an out-of-office notice quoting our Message-ID', async () => {
    expect(await readBounce(report({ action: 'delivered', status: '2.0.0' }), ours)).toBeNull();
    const autoReply = Buffer.from(`From: fiona@example.com\r\nTo: bounces+${ID}@cs.example.com\r\nSubject: Out of office\r\nIn-Reply-To: <${ID}@example.com>\r\nReferences: <${ID}@example.com>\r\nAuto-Submitted: auto-replied\r\n\r\nBack on Monday.\r\n`);
    expect(await readBounce(autoReply, ours)).toBeNull();
    expect(await readBounce(Buffer.from('not a mail at all'), ours)).toBeNull();
  });

  it('finds the delivery from the VERP address alone, or from the returned headers alone', async () => {
    expect(await readBounce(report({ returned: null }), ours)).toMatchObject({ deliveryId: ID });
    expect(await readBounce(report({ to: 'countersign@example.com' }), ours)).toMatchObject({ deliveryId: ID });
    expect(await readBounce(report({ to: 'countersign@example.com' }), { ...ours, bounceAddress: null })).toMatchObject({ deliveryId: ID });
    // A whole returned message (message/rfc822) works as well as its headers.
    const whole = `Message-ID: <${ID}@example.com>\r\nSubject: x\r\n\r\nbody\r\n`;
    expect(await readBounce(report({ to: 'countersign@example.com', returned: whole, returnedType: 'message/rfc822' }), ours)).toMatchObject({ deliveryId: ID });
  });

  it('reads a base64-encoded report and the RFC 6533 global form', async () => {
    expect(await readBounce(report({ statusEncoding: 'base64' }), ours)).toMatchObject({ deliveryId: ID, kind: 'PERMANENT', status: '5.1.1' });
    expect(await readBounce(report({ reportType: 'global-delivery-status' }), ours)).toMatchObject({ deliveryId: ID, kind: 'PERMANENT' });
  });

  it('trusts neither part when the VERP address and the returned headers name different deliveries; ignores other people\'s mail', async () => {
    expect(await readBounce(report({ to: `bounces+${OTHER}@cs.example.com` }), ours)).toBeNull();
    const foreign = `Message-ID: <${ID}@elsewhere.example.org>\r\nSubject: x\r\n`;
    expect(await readBounce(report({ to: 'postmaster@example.com', returned: foreign }), ours)).toBeNull();
    // Another VERP base, or a local part that merely starts like ours.
    expect(await readBounce(report({ to: `other+${ID}@cs.example.com`, returned: null }), ours)).toBeNull();
    expect(await readBounce(report({ to: `bounces+${ID}@evil.example.net`, returned: null }), ours)).toBeNull();
  });

  it('keys a report by its own Message-ID (or its bytes) and the delivery, so a report read twice is one', async () => {
    const one = await readBounce(report(), ours);
    const again = await readBounce(report(), ours);
    expect(one!.reportKey).toBe(again!.reportKey);
    const anonymous = await readBounce(report({ messageId: 'none' }), ours);
    expect(anonymous!.reportKey).toMatch(new RegExp(`^${ID} [0-9a-f]{64}$`));
  });
});

describe('delivery-status fields', () => {
  it('groups per-message and per-recipient fields, unfolding continued lines', () => {
    const groups = deliveryStatusGroups('Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\nAction: failed\nDiagnostic-Code: smtp; 550\n  no such user\n\nFinal-Recipient: rfc822; z@y\nAction: delayed\n');
    expect(groups).toHaveLength(3);
    expect(groups[1]!.get('diagnostic-code')).toBe('smtp; 550 no such user');
    expect(groups[2]!.get('action')).toBe('delayed');
  });
});
