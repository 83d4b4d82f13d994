import { describe, expect, it } from 'vitest';
import { renderJson, type Message } from '../render.js';
import { NotificationEvent } from '../webhook.entity.js';
import { escapeHtml, formatAmount, formatDeadline, writeDigestMail, writeEventMail, type DigestBody } from './message.js';

const now = new Date('2026-12-05T10:00:00Z');
const options = { publicUrl: 'https://cs.example.com/', now };

/** The body the outbox stores for a mail: the JSON a webhook would get, for one person. */
function stored(overrides: Partial<Message['action']> = {}, event = NotificationEvent.ASSIGNED, detail: Message['intent']['detail'] = { assignment: 'APPROVAL', level: 1 }) {
  return JSON.parse(JSON.stringify(renderJson({
    id: 'd-1',
    intent: { event, actionId: 'req-1', auditSeq: 1, at: now, approverIds: ['fiona'], actorApproverId: null, detail },
    action: {
      id: 'req-1', type: 'payments.transfer', summary: 'Pay <img src=x onerror=alert(1)> "Acme" & co', status: 'PENDING', statusReason: null, mode: 'SYNC_APPROVAL',
      risk: { score: 72, level: 'HIGH' }, agent: { id: 'a-1', name: 'ap-agent' }, amount: { value: 1234.5, currency: 'EUR' },
      escalationLevel: 1, deadline: new Date('2026-12-05T10:20:00Z'), requiredApprovals: 2, ...overrides,
    },
    recipients: [{ id: 'fiona', name: 'fiona' }],
    decidedByName: null,
  }))) as unknown;
}

describe('mails to approvers', () => {
  it('tells an assignment in text and HTML with the facts and the link, escaping the summary in HTML only', () => {
    const mail = writeEventMail(stored(), 'Fiona <F>', options);
    expect(mail.subject).toBe('[Countersign] Approval requested: Pay <img src=x onerror=alert(1)> "Acme" & co');
    expect(mail.text).toContain('Hello Fiona <F>,');
    expect(mail.text).toContain('  Pay <img src=x onerror=alert(1)> "Acme" & co');
    expect(mail.text).toMatch(/Risk:\s+HIGH \(72\/100\)/);
    expect(mail.text).toMatch(/Amount:\s+€1,234\.50/);
    expect(mail.text).toMatch(/Deadline:\s+Sat, 5 Dec 2026, 10:20 UTC \(in 20 minutes\)/);
    expect(mail.text).toMatch(/Approvals needed:\s+2/);
    expect(mail.text).toContain('https://cs.example.com/actions/req-1');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('Pay &lt;img src=x onerror=alert(1)&gt; &quot;Acme&quot; &amp; co');
    expect(mail.html).toContain('Hello Fiona &lt;F&gt;,');
    expect(mail.html).toContain('href="https://cs.example.com/actions/req-1"');
    expect(mail.html).toContain('href="https://cs.example.com/settings"');
  });

  it('keeps the subject on one line whatever the summary holds', () => {
    const mail = writeEventMail(stored({ summary: 'Line one\r\nBcc: victim@example.com\u2028x' }), 'fiona', options);
    expect(mail.subject).toBe('[Countersign] Approval requested: Line one Bcc: victim@example.com x');
  });

  it('names escalations, warnings and voided approvals', () => {
    expect(writeEventMail(stored({}, NotificationEvent.ESCALATED, { level: 2, fromLevel: 1, toLevel: 2 }), 'lars', options).subject).toMatch(/^\[Countersign\] Escalated to you \(level 2\): /);
    expect(writeEventMail(stored({}, NotificationEvent.ABOUT_TO_EXPIRE, { level: 1 }), 'fiona', options).subject).toMatch(/^\[Countersign\] Time is running out: /);
    expect(writeEventMail(stored({}, NotificationEvent.ASSIGNED, { assignment: 'APPROVAL', cause: 'PAYLOAD_MODIFIED' }), 'fiona', options).text).toContain('your approval no longer counts');
  });

  it('tells the reviewers of a break-glass that it ran without approval and waits for their review', () => {
    const mail = writeEventMail(stored({ status: 'APPROVED', statusReason: 'BREAK_GLASS' }, NotificationEvent.BREAK_GLASS, { breakGlass: { justification: 'prod down', reviewDeadline: null } }), 'fiona', options);
    expect(mail.subject).toMatch(/^\[Countersign\] Break-glass used: review it: /);
    expect(mail.text).toContain('ran at once without approval');
    expect(mail.text).toContain('https://cs.example.com/actions/req-1');
  });

  it('leaves out what a request does not have', () => {
    const mail = writeEventMail(stored({ amount: null, deadline: null, requiredApprovals: 1 }), 'fiona', options);
    expect(mail.text).not.toMatch(/Amount:|Deadline:|Approvals needed:/);
  });

  it('lists a digest with a link per request, the rest counted', () => {
    const body: DigestBody = {
      id: 'd-2', event: 'DIGEST', day: '2026-12-05', recipients: [{ id: 'r', name: 'rita' }], reviewCount: 3, approvalCount: 1,
      reviews: [
        { id: 'a', type: 'payments.transfer', summary: 'Pay <b>INV-1</b>', risk: { score: 35, level: 'MEDIUM' }, agent: { name: 'bot' }, amount: { value: 2500, currency: 'EUR' }, createdAt: now.toISOString() },
        { id: 'b', type: 'records.read', summary: 'Read the ledger', risk: { score: 31, level: 'MEDIUM' }, agent: { name: 'bot' }, amount: null, createdAt: now.toISOString() },
      ],
    };
    const mail = writeDigestMail(body, 'rita', options);
    expect(mail.subject).toBe('[Countersign] 3 requests to review');
    expect(mail.text).toContain('- Pay <b>INV-1</b>\n  MEDIUM (35/100) · €2,500.00 · payments.transfer · bot\n  https://cs.example.com/actions/a');
    expect(mail.text).toContain('… and 1 more: https://cs.example.com/reviews');
    expect(mail.text).toContain('You also have 1 request waiting for your approval.');
    expect(mail.html).toContain('Pay &lt;b&gt;INV-1&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>');
  });

  it('formats amounts and deadlines for people', () => {
    expect(formatAmount({ value: 25000, currency: 'USD' })).toBe('$25,000.00');
    expect(formatAmount({ value: 10, currency: 'XYZW' })).toBe('10 XYZW');
    expect(formatAmount({ value: 10, currency: null })).toBe('10');
    expect(formatDeadline('2026-12-05T09:00:00Z', now)).toMatch(/\(passed\)$/);
    expect(formatDeadline('2026-12-06T10:00:00Z', now)).toMatch(/\(in 24 hours\)$/);
    expect(escapeHtml(`<a href='x'>&"`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  });
});
