import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionDeniedError, createClient, type Client } from '../packages/sdk/src/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { DECIDE, GET_ACTION, INPUTS, apply, governanceYaml } from './support/fixtures.js';
import { runCli } from '@countersign/admin-cli/testing';

const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
const BOT_TOKEN = 'xoxb-test-bot-token';

interface SlackCall {
  method: string;
  authorization: string | undefined;
  args: Record<string, any>;
  /** What the stand-in answered. */
  answer?: Record<string, any>;
}

/**
 * A local stand-in for Slack's Web API (COUNTERSIGN_SLACK_API_URL): it records every call
 * (form-encoded, as Slack's client sends them, JSON fields decoded) and answers as Slack
 * does — `chat.postMessage` with the direct-message channel and a fresh `ts`. It can be
 * told to fail the next calls of a method.
 */
class SlackStandIn {
  readonly calls: SlackCall[] = [];
  private failures = new Map<string, number>();
  private server: http.Server | null = null;
  private ts = 1_700_000_000;
  port = 0;

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const method = (req.url ?? '').replace(/^\/api\//, '');
        const args: Record<string, any> = {};
        for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
          args[key] = ['blocks', 'metadata'].includes(key) ? JSON.parse(value) : value;
        }
        const call: SlackCall = { method, authorization: req.headers.authorization, args };
        this.calls.push(call);
        const answer = (body: Record<string, any>) => {
          call.answer = body;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const failing = this.failures.get(method) ?? 0;
        if (failing > 0) {
          this.failures.set(method, failing - 1);
          return answer({ ok: false, error: this.failure });
        }
        if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return answer({ ok: false, error: 'invalid_auth' });
        switch (method) {
          case 'chat.postMessage':
            return answer({ ok: true, channel: `D${String(args.channel).slice(1)}`, ts: `${++this.ts}.000100`, message: { text: args.text } });
          case 'chat.update':
            return answer({ ok: true, channel: args.channel, ts: args.ts });
          case 'chat.postEphemeral':
            return answer({ ok: true, message_ts: `${++this.ts}.000200` });
          default:
            return answer({ ok: false, error: 'unknown_method' });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  failNext(method: string, n: number, error = 'internal_error'): void {
    this.failures.set(method, n);
    this.failure = error;
  }

  private failure = 'internal_error';

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The direct messages posted to `slackUserId` about `actionId`. */
  posted(slackUserId: string, actionId?: string): SlackCall[] {
    return this.of('chat.postMessage').filter((c) => c.args.channel === slackUserId && (actionId === undefined || c.args.metadata?.event_payload?.action_id === actionId));
  }
}

/** The buttons of a posted message, by action_id. */
function buttons(call: SlackCall): Record<string, any> {
  const elements = (call.args.blocks as any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements);
  return Object.fromEntries(elements.map((e: any) => [e.action_id, e]));
}

/** What Slack posts for a click: the form field `payload`, signed as Slack signs it. */
function interaction(input: { user: string; actionId: string; button: string; channel?: string }): string {
  const payload = {
    type: 'block_actions',
    user: { id: input.user, username: input.user.toLowerCase(), team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    team: { id: 'T0TEAM', domain: 'example' },
    container: { type: 'message', message_ts: '1.2', channel_id: input.channel ?? `D${input.user.slice(1)}`, is_ephemeral: false },
    channel: { id: input.channel ?? `D${input.user.slice(1)}`, name: 'directmessage' },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/xyz',
    actions: [{ type: 'button', action_id: input.button, block_id: 'countersign_decide', value: input.actionId, action_ts: '1.3' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

async function postInteraction(server: TestServer, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(new URL('/integrations/slack/interactions', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** A click as Slack sends it now, correctly signed. */
async function click(server: TestServer, input: { user: string; actionId: string; button: 'countersign_approve' | 'countersign_deny' | 'countersign_open' }): Promise<number> {
  const body = interaction(input);
  const timestamp = Math.floor(Date.now() / 1000);
  return postInteraction(server, body, { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sign(body, timestamp) });
}

/** WRITE (20) + CONFIDENTIAL (25) + external (25) = 70 → HIGH → SYNC_APPROVAL with one approval, routed to finance. */
let serial = 0;
function highInput(label: string) {
  serial += 1;
  return {
    type: 'payments.transfer', operation: 'WRITE', summary: `${label} #${serial}`, dataClassification: 'CONFIDENTIAL',
    destination: { system: 'swift', external: true }, payload: { to: 'ACME-IBAN', amount: 900, serial },
  } as const;
}

async function status(server: TestServer, id: string): Promise<string> {
  return (await gqlOk<{ action: { status: string } }>(server.url, GET_ACTION, { id }, server.adminToken)).action.status;
}

const ENV = {
  COUNTERSIGN_SLACK_SIGNING_SECRET: SIGNING_SECRET,
  COUNTERSIGN_SLACK_BOT_TOKEN: BOT_TOKEN,
  COUNTERSIGN_WEBHOOK_BACKOFF_MS: '20',
  COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '200',
  COUNTERSIGN_WEBHOOK_POLL_MS: '20',
  COUNTERSIGN_PUBLIC_URL: 'https://countersign.example.com',
};

describe('Slack interactive approvals', () => {
  let database: TestDatabase;
  let server: TestServer;
  let slack: SlackStandIn;
  let fiona: { id: string; name: string; token: string };
  let gus: { id: string; name: string; token: string };
  let carla: { id: string; name: string; token: string };
  let lars: { id: string; name: string; token: string };
  const clients: Client[] = [];

  async function agentClient() {
    const agent = await createAgent(server, `agent-${serial++}-${Date.now()}`);
    const cs = createClient({ url: server.url, apiKey: agent.apiKey, retry: { initialDelay: 50, maxDelay: 500 } });
    clients.push(cs);
    return cs;
  }

  /** The direct message posted to `user` about the request with `summary`, once it is there. */
  function messageAbout(user: string, summary: string): Promise<SlackCall> {
    return waitFor(() => slack.posted(user).find((c) => c.answer?.ok && String(c.args.text).includes(summary)), { what: `a Slack message to ${user} about "${summary}"` });
  }

  beforeAll(async () => {
    slack = await new SlackStandIn().start();
    database = await createTestDatabase();
    server = await startServer({ database, env: { ...ENV, COUNTERSIGN_SLACK_API_URL: slack.apiUrl } });
    fiona = await createApprover(server, 'fiona', ['finance']);
    gus = await createApprover(server, 'gus', ['finance']);
    carla = await createApprover(server, 'carla', ['compliance']);
    lars = await createApprover(server, 'lars', ['finance-lead']);
    await createApprover(server, 'cfo', []);
    // Fiona links her own Slack account; an admin links Carla's.
    await gqlOk(server.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id slackUserId } }', { id: fiona.id, input: { slackUserId: 'U0FIONA' } }, fiona.token);
    await gqlOk(server.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id slackUserId } }', { id: carla.id, input: { slackUserId: 'U0CARLA' } }, server.adminToken);
    await apply(server, governanceYaml());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((cs) => cs.dispose()));
  });
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
    await slack?.stop();
  });

  it('an assignee with a Slack id gets a direct message with Approve, Deny and Open; Approve reaches the waiting agent and the message names who approved', async () => {
    const cs = await agentClient();
    const input = highInput('Wire 900 USD to Acme');
    const waiting = cs.requestApproval(input);
    const message = await messageAbout('U0FIONA', input.summary);
    expect(message.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const actionId = message.args.metadata.event_payload.action_id as string;
    const { countersign_approve: approve, countersign_deny: deny, countersign_open: open } = buttons(message);
    // Approve stands for the payload up for approval as the message was written: its hash, as the API gives it.
    const { candidatePayloadHash } = (await gqlOk<{ action: { candidatePayloadHash: string } }>(server.url, 'query($id: ID!) { action(id: $id) { candidatePayloadHash } }', { id: actionId }, server.adminToken)).action;
    expect(approve).toMatchObject({ text: { text: 'Approve' }, value: `${actionId}:${candidatePayloadHash}` });
    expect(deny).toMatchObject({ text: { text: 'Deny' }, value: actionId });
    expect(open).toMatchObject({ text: { text: 'Open' }, url: `https://countersign.example.com/actions/${actionId}` });
    // The message says what is asked, never the payload.
    expect(JSON.stringify(message.args.blocks)).toContain('HIGH');
    expect(JSON.stringify(message.args)).not.toContain('ACME-IBAN');
    // Gus, also assigned, has no Slack id: nothing is posted for him.
    expect(slack.of('chat.postMessage').every((c) => c.args.channel === 'U0FIONA' || c.args.channel === 'U0CARLA')).toBe(true);

    expect(await click(server, { user: 'U0FIONA', actionId: approve.value, button: 'countersign_approve' })).toBe(200);
    const approved = await waiting;
    expect(approved).toMatchObject({ id: actionId, status: 'APPROVED' });

    const update = await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === message.answer?.ts), { what: 'the message updated in place' });
    expect(update.args.channel).toBe(message.answer?.channel);
    expect(update.args.text).toContain('Approved by fiona');
    expect(buttons(update)).not.toHaveProperty('countersign_approve');
    expect(buttons(update)).toHaveProperty('countersign_open');

    // The vote is fiona's, cast through Slack, in the audit trail.
    const audit = (await gqlOk<{ action: { auditTrail: { kind: string; actorId: string; data: any }[] } }>(server.url, GET_ACTION, { id: actionId }, server.adminToken)).action.auditTrail;
    expect(audit.find((e) => e.kind === 'ACTION_DECIDED')).toMatchObject({ actorId: fiona.id, data: { verdict: 'APPROVE', via: 'SLACK' } });
  });

  it('Deny from Slack ends the wait with ActionDeniedError, and the message names who denied', async () => {
    const cs = await agentClient();
    const input = highInput('Wire to a new vendor');
    const waiting = cs.requestApproval(input).catch((e: unknown) => e);
    const message = await messageAbout('U0FIONA', input.summary);
    const actionId = buttons(message).countersign_deny.value as string;
    expect(await click(server, { user: 'U0FIONA', actionId, button: 'countersign_deny' })).toBe(200);
    const error = await waiting;
    expect(error).toBeInstanceOf(ActionDeniedError);
    expect(error).toMatchObject({ actionId, decision: { verdict: 'DENY', approver: { name: 'fiona' } } });
    const update = await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === message.answer?.ts), { what: 'the message updated in place' });
    expect(update.args.text).toContain('Denied by fiona');
  });

  it('refuses a wrong signature, a tampered body, an old timestamp and an unsigned request: no vote', async () => {
    const cs = await agentClient();
    const input = highInput('Wire that forged clicks try to approve');
    const submitted = await cs.submit(input);
    await messageAbout('U0FIONA', input.summary);
    const body = interaction({ user: 'U0FIONA', actionId: submitted.id, button: 'countersign_approve' });
    const now = Math.floor(Date.now() / 1000);

    expect(await postInteraction(server, body, { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(body, now, 'another-secret') })).toBe(401);
    expect(await postInteraction(server, body.replace('U0FIONA', 'U0CARLA'), { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(body, now) })).toBe(401);
    const old = now - 6 * 60;
    expect(await postInteraction(server, body, { 'x-slack-request-timestamp': String(old), 'x-slack-signature': sign(body, old) })).toBe(401);
    expect(await postInteraction(server, body, {})).toBe(401);
    const get = await fetch(new URL('/integrations/slack/interactions', server.url));
    expect(get.status).toBe(405);
    // A body over the limit is refused before anything is checked.
    const huge = `payload=${'x'.repeat(100_000)}`;
    expect(await postInteraction(server, huge, { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(huge, now) })).toBe(413);

    expect(await status(server, submitted.id)).toBe('PENDING');
    // Signed as Slack signs, the same click counts.
    expect(await postInteraction(server, body, { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(body, now) })).toBe(200);
    await waitFor(async () => (await status(server, submitted.id)) === 'APPROVED', { what: 'the signed click to count' });
  });

  it('a Slack user linked to no approver cannot vote and is told so; a linked approver not assigned is refused', async () => {
    const cs = await agentClient();
    const input = highInput('Wire that strangers click on');
    const submitted = await cs.submit(input);
    await messageAbout('U0FIONA', input.summary);

    expect(await click(server, { user: 'U0STRANGER', actionId: submitted.id, button: 'countersign_approve' })).toBe(200);
    const told = await waitFor(() => slack.of('chat.postEphemeral').find((c) => c.args.user === 'U0STRANGER'), { what: 'the stranger told' });
    expect(told.args).toMatchObject({ channel: 'D0STRANGER', text: expect.stringContaining('Your Slack account is not linked to a Countersign approver') });

    // Carla is an approver with a Slack id, but payments are routed to finance: decide says FORBIDDEN.
    expect(await click(server, { user: 'U0CARLA', actionId: submitted.id, button: 'countersign_approve' })).toBe(200);
    const refused = await waitFor(() => slack.of('chat.postEphemeral').find((c) => c.args.user === 'U0CARLA'), { what: 'carla told' });
    expect(refused.args.text).toContain('not assigned to you');
    expect(await status(server, submitted.id)).toBe('PENDING');
  });

  it('a CRITICAL request offers no Approve button, and a forged Approve for it is refused under decide', async () => {
    const cs = await agentClient();
    const input = { ...INPUTS.sync, summary: `Wire 25,000 USD, critical #${++serial}` };
    const submitted = await cs.submit(input as never);
    expect(submitted).toMatchObject({ status: 'PENDING' });
    const message = await messageAbout('U0FIONA', input.summary);
    expect(Object.keys(buttons(message))).toEqual(['countersign_open']);
    expect(JSON.stringify(message.args.blocks)).toContain('CRITICAL');

    expect(await click(server, { user: 'U0FIONA', actionId: submitted.id, button: 'countersign_approve' })).toBe(200);
    const refused = await waitFor(() => slack.of('chat.postEphemeral').find((c) => c.args.user === 'U0FIONA' && String(c.args.text).includes(submitted.id)), { what: 'fiona told' });
    expect(refused.args.text).toContain('cannot be decided from Slack');
    expect(await status(server, submitted.id)).toBe('PENDING');
  });

  it('a request decided in the web app or CLI updates the Slack messages too; a late click is told it is decided', async () => {
    const cs = await agentClient();
    const input = highInput('Wire gus decides elsewhere');
    const submitted = await cs.submit(input);
    const message = await messageAbout('U0FIONA', input.summary);
    await gqlOk(server.url, DECIDE, { input: { actionId: submitted.id, verdict: 'APPROVE' } }, gus.token);
    const update = await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === message.answer?.ts), { what: 'fiona\'s message updated' });
    expect(update.args.text).toContain('Approved by gus');

    expect(await click(server, { user: 'U0FIONA', actionId: submitted.id, button: 'countersign_deny' })).toBe(200);
    const told = await waitFor(() => slack.of('chat.postEphemeral').find((c) => c.args.user === 'U0FIONA' && String(c.args.text).includes('already APPROVED')), { what: 'fiona told' });
    expect(told.args.text).toContain(submitted.id);
    expect(await status(server, submitted.id)).toBe('APPROVED');
  });

  it('once a request escalates, the earlier level\'s messages lose Approve and Deny and say so; the next level decides from its own message', async () => {
    await gqlOk(server.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id } }', { id: lars.id, input: { slackUserId: 'U0LARS' } }, server.adminToken);
    expect((await apply(server, governanceYaml({ financeTimeout: '2s' }))).applied).toBe(true);
    try {
      const cs = await agentClient();
      const input = highInput('Wire nobody in finance answers');
      const submitted = await cs.submit(input);
      const first = await messageAbout('U0FIONA', input.summary);
      expect(Object.keys(buttons(first))).toContain('countersign_approve');

      const larsMessage = await messageAbout('U0LARS', input.summary);
      const rewritten = await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === first.answer?.ts), { what: 'fiona\'s message rewritten after the escalation' });
      expect(rewritten.args.text).toMatch(/^Escalated to level 2 — no longer waiting for you: /);
      expect(Object.keys(buttons(rewritten))).toEqual(['countersign_open']);
      // The next level's own message keeps its buttons, and its Approve counts.
      expect(slack.of('chat.update').some((c) => c.args.ts === larsMessage.answer?.ts)).toBe(false);
      expect(await click(server, { user: 'U0LARS', actionId: buttons(larsMessage)['countersign_approve'].value, button: 'countersign_approve' })).toBe(200);
      await waitFor(async () => (await status(server, submitted.id)) === 'APPROVED', { what: 'approved by lars' });
      // In the end every message tells the outcome.
      await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === first.answer?.ts && String(c.args.text).includes('Approved by lars')), { what: 'fiona\'s message naming lars' });
      await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === larsMessage.answer?.ts && String(c.args.text).includes('Approved by lars')), { what: 'lars\'s message naming him' });
    } finally {
      await apply(server, governanceYaml());
      await gqlOk(server.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id } }', { id: lars.id, input: { slackUserId: null } }, server.adminToken);
    }
  });

  it('an Approve button written before another approver changed the payload is refused, and the clicker is told to open the request', async () => {
    // A modified payload over 100,000 needs two approvals: the request stays pending with a new candidate.
    const rule = `      - when: 'has(action.payload.amount) && action.payload.amount > 100000'\n        requiredApprovals: 2\n`;
    const document = governanceYaml();
    expect(document.split('    adjust:\n')).toHaveLength(2);
    expect((await apply(server, document.replace('    adjust:\n', `    adjust:\n${rule}`))).applied).toBe(true);
    try {
      const cs = await agentClient();
      const input = highInput('Wire whose payload gus changes');
      const submitted = await cs.submit(input);
      const message = await messageAbout('U0FIONA', input.summary);
      const approve = buttons(message).countersign_approve;
      expect(approve.value).toMatch(new RegExp(`^${submitted.id}:[A-Za-z0-9_-]{43}$`));

      const changed = { ...input.payload, amount: 250_000 };
      const modified = await gqlOk(server.url, DECIDE, { input: { actionId: submitted.id, verdict: 'APPROVE', modifiedPayload: changed } }, gus.token);
      expect(modified.decide).toMatchObject({ status: 'PENDING', requiredApprovals: 2 });

      expect(await click(server, { user: 'U0FIONA', actionId: approve.value, button: 'countersign_approve' })).toBe(200);
      const told = await waitFor(() => slack.of('chat.postEphemeral').find((c) => c.args.user === 'U0FIONA' && String(c.args.text).includes(submitted.id)), { what: 'fiona told' });
      expect(told.args.text).toContain('the payload up for approval changed since this message was sent');
      expect(told.args.text).toContain(`<https://countersign.example.com/actions/${submitted.id}|Open the request>`);
      // Nothing of fiona's was counted: gus's approval of his own change is the only vote.
      const after = (await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { status approvals decisions { verdict approver { name } } } }', { id: submitted.id }, server.adminToken)).action;
      expect(after).toEqual({ status: 'PENDING', approvals: 1, decisions: [{ verdict: 'APPROVE', approver: { name: 'gus' } }] });
    } finally {
      await apply(server, governanceYaml());
    }
  });

  it('a delegate linked to Slack gets the request and votes from Slack on behalf of the delegator', async () => {
    const otto = await createApprover(server, 'otto', []);
    await gqlOk(server.url, 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id } }', { id: otto.id, input: { slackUserId: 'U0OTTO' } }, otto.token);
    const delegation = await gqlOk<{ createDelegation: { id: string } }>(server.url, 'mutation($input: DelegationInput!) { createDelegation(input: $input) { id } }', { input: { toApproverId: otto.id } }, fiona.token);
    try {
      const cs = await agentClient();
      const input = highInput('Wire while fiona is away');
      const waiting = cs.requestApproval(input);
      const message = await messageAbout('U0OTTO', input.summary);
      const actionId = message.args.metadata.event_payload.action_id as string;
      // Fiona handed her approvals over: her own Slack account is no longer asked, and her click is not hers to make.
      expect(slack.posted('U0FIONA', actionId)).toHaveLength(0);
      expect(await click(server, { user: 'U0OTTO', actionId: buttons(message).countersign_approve.value as string, button: 'countersign_approve' })).toBe(200);
      expect(await waiting).toMatchObject({ id: actionId, status: 'APPROVED' });
      const decisions = (await gqlOk<any>(server.url, 'query($id: ID!) { action(id: $id) { decisions { verdict approver { name } onBehalfOf { name } } } }', { id: actionId }, server.adminToken)).action.decisions;
      expect(decisions).toEqual([{ verdict: 'APPROVE', approver: { name: 'otto' }, onBehalfOf: { name: 'fiona' } }]);
      const update = await waitFor(() => slack.of('chat.update').find((c) => c.args.ts === message.answer?.ts), { what: 'otto\'s message updated' });
      expect(update.args.text).toContain('Approved by otto');
    } finally {
      await gqlOk(server.url, 'mutation($id: ID!) { revokeDelegation(id: $id) { id } }', { id: delegation.createDelegation.id }, fiona.token);
    }
  });

  it('a failed post is retried through the outbox and posted once', async () => {
    slack.failNext('chat.postMessage', 2);
    const cs = await agentClient();
    const input = highInput('Wire while Slack hiccups');
    const submitted = await cs.submit(input);
    await messageAbout('U0FIONA', input.summary);
    const attempts = slack.of('chat.postMessage').filter((c) => c.args.metadata?.event_payload?.action_id === submitted.id && c.args.channel === 'U0FIONA');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((c) => c.args.metadata.event_payload.delivery_id)).size).toBe(1);
    // Answered ok once: nothing more is posted for that delivery.
    await gqlOk(server.url, DECIDE, { input: { actionId: submitted.id, verdict: 'DENY' } }, gus.token);
    await waitFor(() => slack.of('chat.update').find((c) => String(c.args.text).includes('Denied by gus') && String(c.args.text).includes(input.summary)));
    expect(slack.posted('U0FIONA', submitted.id).filter((c) => c.answer?.ok)).toHaveLength(1);
  });

  it('shows admins the Slack deliveries with the delivery log of every channel; a post Slack refused for good is FAILED with why, and retried on request', async () => {
    slack.failNext('chat.postMessage', 1, 'channel_not_found');
    const cs = await agentClient();
    const input = highInput('Wire while fiona\'s DM channel is gone');
    const submitted = await cs.submit(input);
    const LOG = `query($filter: NotificationDeliveryFilter) { notificationDeliveries(filter: $filter, first: 100) {
      totalCount nodes { id channel event actionId status attempts lastError lastStatusCode bouncedAt recipient { name } }
    } }`;
    const failed = await waitFor(async () => (await gqlOk(server.url, LOG, { filter: { channel: 'SLACK', status: 'FAILED', actionId: submitted.id } }, server.adminToken)).notificationDeliveries.nodes[0], { what: 'the refused post FAILED' });
    expect(failed).toMatchObject({ channel: 'SLACK', event: 'ASSIGNED', status: 'FAILED', attempts: 1, lastError: 'Slack refused: channel_not_found', lastStatusCode: null, bouncedAt: null, recipient: { name: 'fiona' } });
    // The whole log lists every channel of the request together, newest first; bounced mail never includes Slack.
    const all = (await gqlOk(server.url, LOG, { filter: { actionId: submitted.id } }, server.adminToken)).notificationDeliveries;
    expect(all.nodes.map((d: { id: string }) => d.id)).toContain(failed.id);
    expect(all.totalCount).toBe(all.nodes.length);
    expect((await gqlOk(server.url, LOG, { filter: { channel: 'SLACK', bounced: true } }, server.adminToken)).notificationDeliveries.totalCount).toBe(0);
    // Approvers do not read the log or retry.
    expect(errorCode(await gql(server.url, LOG, { filter: { channel: 'SLACK' } }, fiona.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, 'mutation($id: ID!) { retryNotificationDelivery(id: $id) { id } }', { id: failed.id }, fiona.token))).toBe('FORBIDDEN');

    const retried = await gqlOk(server.url, 'mutation($id: ID!) { retryNotificationDelivery(id: $id) { id channel status attempts } }', { id: failed.id }, server.adminToken);
    expect(retried.retryNotificationDelivery).toEqual({ id: failed.id, channel: 'SLACK', status: 'PENDING', attempts: 0 });
    await messageAbout('U0FIONA', input.summary);
    await waitFor(async () => (await gqlOk(server.url, LOG, { filter: { channel: 'SLACK', actionId: submitted.id, approverId: fiona.id } }, server.adminToken)).notificationDeliveries.nodes[0]?.status === 'DELIVERED', { what: 'the retry recorded' });
    const audit = (await gqlOk(server.url, '{ auditLog(first: 20, filter: {kind: ["NOTIFICATION_DELIVERY_RETRIED"]}) { nodes { data } } }', {}, server.adminToken)).auditLog.nodes;
    expect(audit.map((e: { data: unknown }) => e.data)).toContainEqual({ deliveryId: failed.id, channel: 'SLACK' });
  });

  describe('slackUserId', () => {
    const UPDATE = 'mutation($id: ID!, $input: UpdateApproverInput!) { updateApprover(id: $id, input: $input) { id slackUserId email roles } }';

    it('admins set it on create and update; an approver sets their own and nothing else', async () => {
      const created = await gqlOk<{ createApprover: { approver: { id: string; slackUserId: string } } }>(
        server.url, 'mutation($input: CreateApproverInput!) { createApprover(input: $input) { approver { id slackUserId } } }',
        { input: { name: 'hana', roles: ['finance'], slackUserId: 'W0HANA' } }, server.adminToken,
      );
      expect(created.createApprover.approver.slackUserId).toBe('W0HANA');
      expect((await gqlOk(server.url, UPDATE, { id: gus.id, input: { slackUserId: 'U0GUS' } }, server.adminToken)).updateApprover).toMatchObject({ slackUserId: 'U0GUS' });
      expect((await gqlOk(server.url, UPDATE, { id: gus.id, input: { slackUserId: null } }, gus.token)).updateApprover).toMatchObject({ slackUserId: null });
      expect((await gqlOk<any>(server.url, '{ me { approver { slackUserId } } }', {}, fiona.token)).me.approver.slackUserId).toBe('U0FIONA');
    });

    it('refuses what an approver may not change, a malformed id and one already linked', async () => {
      expect(errorCode(await gql(server.url, UPDATE, { id: fiona.id, input: { slackUserId: 'U0GUSX' } }, gus.token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, UPDATE, { id: gus.id, input: { roles: ['finance', 'cfo'] } }, gus.token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, UPDATE, { id: gus.id, input: { slackUserId: 'U0GUS2', active: true } }, gus.token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(server.url, UPDATE, { id: gus.id, input: { slackUserId: '@gus' } }, gus.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await gql(server.url, UPDATE, { id: gus.id, input: {} }, gus.token))).toBe('BAD_USER_INPUT');
      const taken = await gql(server.url, UPDATE, { id: gus.id, input: { slackUserId: 'U0FIONA' } }, gus.token);
      expect(errorCode(taken)).toBe('CONFLICT');
      expect(JSON.stringify(taken)).not.toContain('fiona');
      const agent = await createAgent(server, `agent-slack-${Date.now()}`);
      expect(errorCode(await gql(server.url, UPDATE, { id: gus.id, input: { slackUserId: 'U0AGENT' } }, agent.apiKey))).toBe('FORBIDDEN');
      const audit = await gqlOk<any>(server.url, 'query($id: String) { auditLog(first: 50, filter: { subjectId: $id, kind: ["APPROVER_UPDATED"] }) { nodes { actorType data } } }', { id: fiona.id }, server.adminToken);
      expect(audit.auditLog.nodes).toContainEqual({ actorType: 'APPROVER', data: { before: expect.objectContaining({ slackUserId: null }), after: expect.objectContaining({ slackUserId: 'U0FIONA' }) } });
    });
  });

  it('the CLI sets it: admins with approvers create/update --slack-user-id, an approver their own with slack link', async () => {
    const env = (token: string) => ({ env: { HOME: '/nonexistent', COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: token } });
    const created = await runCli(['approvers', 'create', '--name', 'ines', '--role', 'finance', '--slack-user-id', 'U0INES', '--json'], env(server.adminToken));
    expect(created.code, created.stderr).toBe(0);
    const ines = created.json<{ approver: { id: string; slackUserId: string }; token: string }>();
    expect(ines.approver.slackUserId).toBe('U0INES');
    const unlinked = await runCli(['approvers', 'update', 'ines', '--no-slack-user-id', '--json'], env(server.adminToken));
    expect(unlinked.code, unlinked.stderr).toBe(0);
    expect(unlinked.json<{ slackUserId: string | null }>().slackUserId).toBeNull();

    // Her own, shown as a person reads it.
    const linked = await runCli(['slack', 'link', 'U0INES2'], env(ines.token));
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toContain('U0INES2');
    expect((await gqlOk<any>(server.url, '{ me { approver { slackUserId } } }', {}, ines.token)).me.approver.slackUserId).toBe('U0INES2');
    // Not someone else's.
    expect((await runCli(['approvers', 'update', 'fiona', '--slack-user-id', 'U0INES'], env(ines.token))).code).toBe(5);
    const asAdmin = await runCli(['slack', 'link', 'U0ADMIN'], env(server.adminToken));
    expect(asAdmin.code).not.toBe(0);
    expect(asAdmin.stderr).toContain('approvers update');
  }, 180_000);

  it('counts interactions against the caller\'s address like other anonymous requests', async () => {
    const limited = await startServer({ database, env: { ...ENV, COUNTERSIGN_SLACK_API_URL: slack.apiUrl, COUNTERSIGN_RATE_LIMIT: '1', COUNTERSIGN_RATE_LIMIT_BURST: '2' } });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push(await postInteraction(limited, 'payload=%7B%7D', { 'x-slack-request-timestamp': '1', 'x-slack-signature': 'v0=00' }));
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
    } finally {
      await limited.dispose();
    }
  });

  it('without the Slack secrets the endpoint does not exist', async () => {
    const plain = await startServer({ database });
    try {
      const response = await fetch(new URL('/integrations/slack/interactions', plain.url), { method: 'POST', body: 'payload={}' });
      expect(response.status).toBe(404);
    } finally {
      await plain.dispose();
    }
  });
});
