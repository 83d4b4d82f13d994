import { describe, expect, it } from 'vitest';
import { actionUrl, renderJson, renderSlack, withLink, type Message } from './render.js';
import { NotificationEvent, WebhookFormat } from './webhook.entity.js';

const message: Message = {
  id: 'delivery-1',
  intent: {
    event: NotificationEvent.ASSIGNED, actionId: 'req-1', auditSeq: 42, at: new Date('2026-11-24T10:00:00Z'),
    approverIds: ['fiona'], actorApproverId: null, detail: { assignment: 'APPROVAL', level: 1 },
  },
  action: {
    id: 'req-1', type: 'payments.transfer', summary: 'Wire <!channel> 25,000 USD & more', status: 'PENDING', statusReason: null, mode: 'SYNC_APPROVAL',
    risk: { score: 95, level: 'CRITICAL' }, agent: { id: 'agent-1', name: 'ap-agent' }, amount: { value: 25000, currency: 'USD' },
    escalationLevel: 1, deadline: new Date('2026-11-24T10:15:00Z'), requiredApprovals: 1,
  },
  recipients: [{ id: 'fiona', name: 'fiona' }],
  decidedByName: null,
};

describe('notification bodies', () => {
  it('JSON: the event, whom it is for and what the request is, without its payload', () => {
    expect(renderJson(message)).toMatchObject({
      id: 'delivery-1', event: 'ASSIGNED', auditSeq: 42, assignment: 'APPROVAL', recipients: [{ id: 'fiona', name: 'fiona' }],
      action: { id: 'req-1', risk: { score: 95, level: 'CRITICAL' }, deadline: '2026-11-24T10:15:00.000Z' },
    });
    expect(JSON.stringify(renderJson(message))).not.toContain('payload');
  });

  it('SLACK: {text, blocks} with the summary, risk, deadline and who it is for; agent text cannot ping a channel', () => {
    const slack = renderSlack(message);
    expect(slack.text).toBe('Approval requested: Wire &lt;!channel&gt; 25,000 USD &amp; more — risk CRITICAL (95) — for fiona');
    const all = JSON.stringify(slack.blocks);
    expect(all).toContain('*Risk*\\nCRITICAL (95)');
    expect(all).toContain(`*Deadline*\\n<!date^${Date.parse('2026-11-24T10:15:00Z') / 1000}^`);
    expect(all).toContain('*For*\\nfiona');
    expect(all).not.toContain('<!channel>');
  });

  it('BREAK_GLASS: says nobody decided, and carries the justification (escaped for Slack)', () => {
    const broken: Message = {
      ...message,
      intent: { ...message.intent, event: NotificationEvent.BREAK_GLASS, broadcast: true, detail: { level: 1, breakGlass: { justification: 'Bank cut-off <!here>', reviewDeadline: '2026-11-24T10:15:00.000Z' } } },
      action: { ...message.action, status: 'APPROVED', statusReason: 'BREAK_GLASS' },
      recipients: [],
    };
    expect(renderJson(broken)).toMatchObject({ event: 'BREAK_GLASS', breakGlass: { justification: 'Bank cut-off <!here>', reviewDeadline: '2026-11-24T10:15:00.000Z' }, action: { statusReason: 'BREAK_GLASS' } });
    const slack = renderSlack(broken);
    expect(slack.text).toMatch(/^Break-glass: approved with nobody deciding, review required: /);
    expect(JSON.stringify(slack.blocks)).toContain('*Justification*\\n> Bank cut-off &lt;!here&gt;');
  });

  it('SLACK: a decision names who decided and quotes the comment', () => {
    const decided: Message = {
      ...message,
      intent: { ...message.intent, event: NotificationEvent.DECIDED, detail: { decidedBy: { type: 'APPROVER', id: 'fiona' }, verdict: 'DENY', comment: 'Not this week' } },
      action: { ...message.action, status: 'DENIED', deadline: null },
      decidedByName: 'fiona',
    };
    const slack = renderSlack(decided);
    expect(slack.text).toMatch(/^Request denied: /);
    expect(JSON.stringify(slack.blocks)).toContain('*Decided by*\\nfiona');
    expect(JSON.stringify(slack.blocks)).toContain('> Not this week');
  });
});

describe('links to the request page', () => {
  const url = actionUrl('https://cs.example.com/', 'req-1');

  it('points at the web app page of the request', () => {
    expect(url).toBe('https://cs.example.com/actions/req-1');
  });

  it('JSON: gains `url`', () => {
    expect(withLink(WebhookFormat.JSON, renderJson(message), url)).toMatchObject({ id: 'delivery-1', url });
  });

  it('SLACK: gains a button that opens the page, before the closing context line, and the link in its text', () => {
    const slack = withLink(WebhookFormat.SLACK, renderSlack(message), url) as { text: string; blocks: { type: string; elements?: unknown[] }[] };
    const actions = slack.blocks.find((b) => b.type === 'actions');
    expect(actions?.elements).toEqual([expect.objectContaining({ type: 'button', url, text: { type: 'plain_text', text: 'Open' } })]);
    expect(slack.blocks[slack.blocks.length - 1]!.type).toBe('context');
    expect(slack.text).toContain(`<${url}|Open>`);
  });
});
