import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { DECIDE, INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

/** Retries fast enough for a test; the backoff itself is the production code path. */
const ENV = {
  COUNTERSIGN_WEBHOOK_BACKOFF_MS: '20',
  COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '200',
  COUNTERSIGN_WEBHOOK_POLL_MS: '20',
  COUNTERSIGN_WEBHOOK_MAX_ATTEMPTS: '50',
  COUNTERSIGN_WEBHOOK_TIMEOUT_MS: '5000',
  // Warn well before the timeout, so the warning cannot lose a race with the escalation on a busy machine.
  COUNTERSIGN_ABOUT_TO_EXPIRE_FRACTION: '0.3',
};

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The status the receiver answered with. */
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1, as an integrator would write one: it records every
 * request and answers 200, or 500 while told to fail. It can be stopped and restarted on
 * the same port (a receiver that is down refuses connections).
 */
class Receiver {
  readonly requests: Received[] = [];
  private failuresLeft = new Map<string, number>();
  private server: http.Server | null = null;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const left = this.failuresLeft.get(path) ?? 0;
        const answered = left > 0 ? 500 : 200;
        if (left > 0) this.failuresLeft.set(path, left - 1);
        this.requests.push({ path, headers: req.headers, raw, body: JSON.parse(raw), answered });
        res.writeHead(answered, { 'content-type': 'text/plain' });
        res.end(answered === 200 ? 'ok' : 'receiver is having a bad day');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next `n` requests to `path` are answered with 500. */
  failNext(path: string, n: number): void {
    this.failuresLeft.set(path, n);
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }
}

/** What the README tells receivers to do: HMAC-SHA256 over "<timestamp>.<raw body>", constant-time compare, fresh timestamps only. */
function verifySignature(secret: string, request: Received, toleranceSeconds = 300): boolean {
  const timestamp = String(request.headers['countersign-timestamp']);
  const signature = String(request.headers['countersign-signature']);
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${request.raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const CREATE_WEBHOOK = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret webhook { id url role events format active approver { id name } } }
}`;
const DELETE_WEBHOOK = 'mutation($id: ID!) { deleteWebhook(id: $id) { id active } }';
const DELIVERIES = `query($filter: WebhookDeliveryFilter, $first: Int, $after: String) {
  webhookDeliveries(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt body webhook { id } }
  }
}`;

describe('webhook notifications', () => {
  let database: TestDatabase;
  let server: TestServer;
  let receiver: Receiver;
  let agent: { id: string; apiKey: string };
  let fiona: { id: string; name: string; token: string };
  let lars: { id: string; name: string; token: string };

  const createWebhook = async (input: Record<string, unknown>, token = server.adminToken) =>
    (await gqlOk(server.url, CREATE_WEBHOOK, { input }, token)).createWebhook as { secret: string; webhook: { id: string } };
  const deliveries = async (filter: Record<string, unknown>) =>
    (await gqlOk(server.url, DELIVERIES, { filter, first: 100 }, server.adminToken)).webhookDeliveries;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database, env: ENV });
    receiver = await new Receiver().start();
    fiona = await createApprover(server, 'fiona', ['finance']);
    lars = await createApprover(server, 'lars', ['finance-lead']);
    await createApprover(server, 'cfo');
    agent = await createAgent(server, 'ap-agent');
    await apply(server, governanceYaml());
  });
  afterAll(async () => {
    await server?.dispose();
    await receiver?.stop();
    await database?.drop();
  });

  it('sends signed webhooks to an approver and, as a Slack message, to a role', async () => {
    const personal = await createWebhook({ url: receiver.url('/fiona'), approverId: fiona.id });
    const team = await createWebhook({ url: receiver.url('/finance-channel'), role: 'finance', format: 'SLACK' });
    expect(personal.secret).toMatch(/^whsec_/);

    const pending = await submit(server, agent.apiKey, INPUTS.sync);
    const [assigned] = await waitFor(() => receiver.at('/fiona').length >= 1 && receiver.at('/fiona'), { what: 'the ASSIGNED webhook' });
    expect(verifySignature(personal.secret, assigned!)).toBe(true);
    expect(verifySignature(team.secret, assigned!)).toBe(false);
    expect(assigned!.headers['countersign-event']).toBe('ASSIGNED');
    expect(assigned!.headers['countersign-delivery']).toBe(assigned!.body.id);
    expect(assigned!.headers['idempotency-key']).toBe(assigned!.body.id);
    expect(assigned!.body).toMatchObject({
      event: 'ASSIGNED',
      assignment: 'APPROVAL',
      recipients: [{ id: fiona.id, name: 'fiona' }],
      action: { id: pending.id, summary: INPUTS.sync.summary, status: 'PENDING', risk: { level: 'CRITICAL' }, agent: { name: 'ap-agent' }, escalationLevel: 1 },
    });
    expect(assigned!.body.action.deadline).toBe(pending.deadline);
    // One click from the notification to the request's page (COUNTERSIGN_PUBLIC_URL defaults to the server's own URL).
    expect(assigned!.body.url).toBe(`${new URL(server.url).origin}/actions/${pending.id}`);
    // auditSeq names the very audit event the notification comes from.
    const trail = (await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { auditTrail { seq kind } } }', { id: pending.id }, server.adminToken)).action.auditTrail;
    expect(assigned!.body.auditSeq).toBe(trail.find((e: { kind: string }) => e.kind === 'ACTION_ASSIGNED').seq);
    expect(assigned!.raw).not.toContain('ACME-IBAN'); // the payload stays in Countersign

    const [slack] = await waitFor(() => receiver.at('/finance-channel').length >= 1 && receiver.at('/finance-channel'), { what: 'the Slack webhook' });
    expect(verifySignature(team.secret, slack!)).toBe(true);
    expect(Object.keys(slack!.body).sort()).toEqual(['blocks', 'text']);
    expect(slack!.body.text).toContain(INPUTS.sync.summary);
    expect(slack!.body.text).toContain('CRITICAL');
    expect(slack!.body.text).toContain('for fiona');
    expect(JSON.stringify(slack!.body.blocks)).toContain('*Deadline*');
    const buttons = slack!.body.blocks.filter((b: { type: string }) => b.type === 'actions').flatMap((b: { elements: unknown[] }) => b.elements);
    expect(buttons).toEqual([expect.objectContaining({ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: `${new URL(server.url).origin}/actions/${pending.id}` })]);

    // Fiona's decision: her channel hears it; her own endpoint does not tell her what she just did.
    await gqlOk(server.url, DECIDE, { input: { actionId: pending.id, verdict: 'DENY', comment: 'Not this week' } }, fiona.token);
    const decided = await waitFor(() => receiver.at('/finance-channel').find((r) => r.headers['countersign-event'] === 'DECIDED'), { what: 'the DECIDED webhook' });
    expect(verifySignature(team.secret, decided)).toBe(true);
    expect(decided.body.text).toMatch(/^Request denied/);
    expect(JSON.stringify(decided.body.blocks)).toContain('Not this week');

    const log = await waitFor(async () => {
      const page = await deliveries({ actionId: pending.id });
      return page.nodes.every((d: { status: string }) => d.status === 'DELIVERED') && page;
    }, { what: 'every delivery to be logged as DELIVERED' });
    expect(log.totalCount).toBe(3);
    expect(log.nodes.map((d: { event: string; webhook: { id: string } }) => [d.event, d.webhook.id]).sort()).toEqual(
      [['ASSIGNED', personal.webhook.id], ['ASSIGNED', team.webhook.id], ['DECIDED', team.webhook.id]].sort(),
    );
    for (const d of log.nodes) expect(d).toMatchObject({ attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(receiver.at('/fiona').map((r) => r.headers['countersign-event'])).toEqual(['ASSIGNED']);

    await gqlOk(server.url, DELETE_WEBHOOK, { id: personal.webhook.id }, server.adminToken);
    await gqlOk(server.url, DELETE_WEBHOOK, { id: team.webhook.id }, server.adminToken);
  });

  it('warns before a level times out and tells the next level about the escalation', async () => {
    const forFiona = await createWebhook({ url: receiver.url('/fiona-timeouts'), approverId: fiona.id, events: ['ABOUT_TO_EXPIRE'] });
    const forLars = await createWebhook({ url: receiver.url('/lars'), approverId: lars.id });
    await apply(server, governanceYaml({ financeTimeout: '3s', leadTimeout: '1h' }));
    try {
      const pending = await submit(server, agent.apiKey, INPUTS.sync);
      const warning = await waitFor(() => receiver.at('/fiona-timeouts')[0], { what: 'ABOUT_TO_EXPIRE' });
      expect(verifySignature(forFiona.secret, warning)).toBe(true);
      expect(warning.body).toMatchObject({ event: 'ABOUT_TO_EXPIRE', action: { id: pending.id, escalationLevel: 1 }, recipients: [{ id: fiona.id }] });
      const escalated = await waitFor(() => receiver.at('/lars').find((r) => r.body.action.id === pending.id), { what: 'ESCALATED' });
      expect(verifySignature(forLars.secret, escalated)).toBe(true);
      expect(escalated.body).toMatchObject({ event: 'ESCALATED', escalation: { fromLevel: 1, toLevel: 2 }, recipients: [{ id: lars.id }], action: { escalationLevel: 2 } });
      // Fiona subscribed to ABOUT_TO_EXPIRE only.
      expect(receiver.at('/fiona-timeouts').every((r) => r.body.event === 'ABOUT_TO_EXPIRE')).toBe(true);
      await gqlOk(server.url, 'mutation($id: ID!) { cancelAction(id: $id) { status } }', { id: pending.id }, agent.apiKey);
      const cancelled = await waitFor(() => receiver.at('/lars').find((r) => r.body.event === 'DECIDED' && r.body.action.id === pending.id), { what: 'DECIDED on cancel' });
      expect(cancelled.body).toMatchObject({ decision: { status: 'CANCELLED', by: { type: 'AGENT' } } });
    } finally {
      await apply(server, governanceYaml());
      await gqlOk(server.url, DELETE_WEBHOOK, { id: forFiona.webhook.id }, server.adminToken);
      await gqlOk(server.url, DELETE_WEBHOOK, { id: forLars.webhook.id }, server.adminToken);
    }
  });

  it('retries a receiver that fails three times; after deduplication by idempotency id it gets each event exactly once', async () => {
    const hook = await createWebhook({ url: receiver.url('/flaky'), approverId: fiona.id });
    receiver.failNext('/flaky', 3);
    const actions = [];
    for (let i = 0; i < 3; i++) actions.push(await submit(server, agent.apiKey, { ...INPUTS.sync, idempotencyKey: `flaky-${i}` }));

    const accepted = await waitFor(() => {
      const ok = receiver.at('/flaky').filter((r) => r.answered === 200);
      return ok.length >= actions.length && ok;
    }, { what: 'every event to be accepted' });
    const all = receiver.at('/flaky');
    expect(all.every((r) => verifySignature(hook.secret, r))).toBe(true);
    expect(all.filter((r) => r.answered === 500)).toHaveLength(3);
    expect(all).toHaveLength(actions.length + 3);

    // The receiver's view: distinct idempotency ids = events; each accepted once; each retry reused its id.
    const ids = new Set(all.map((r) => r.headers['countersign-delivery']));
    expect(ids.size).toBe(actions.length);
    expect(new Set(accepted.map((r) => r.headers['countersign-delivery'])).size).toBe(accepted.length);
    const deduped = [...new Map(all.map((r) => [r.headers['countersign-delivery'], r.body])).values()];
    expect(deduped.map((b) => `${b.event}:${b.action.id}`).sort()).toEqual(actions.map((a) => `ASSIGNED:${a.id}`).sort());
    for (const r of all) expect(r.body.id).toBe(r.headers['countersign-delivery']);

    const log = await waitFor(async () => {
      const page = await deliveries({ webhookId: hook.webhook.id });
      return page.nodes.every((d: { status: string }) => d.status === 'DELIVERED') && page;
    }, { what: 'the log to show every delivery DELIVERED' });
    expect(log.totalCount).toBe(actions.length);
    expect(log.nodes.reduce((n: number, d: { attempts: number }) => n + d.attempts, 0)).toBe(actions.length + 3);
    const retried = log.nodes.filter((d: { attempts: number }) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    for (const d of retried) expect(d.lastError).toMatch(/^HTTP 500: receiver is having a bad day/);

    await gqlOk(server.url, DELETE_WEBHOOK, { id: hook.webhook.id }, server.adminToken);
  });

  it('lets approvers manage only their own webhooks and keeps the delivery log for admins', async () => {
    const own = await gqlOk(server.url, CREATE_WEBHOOK, { input: { url: receiver.url('/mine'), events: ['ASSIGNED'] } }, lars.token);
    expect(own.createWebhook.webhook).toMatchObject({ approver: { id: lars.id }, role: null, events: ['ASSIGNED'], format: 'JSON', active: true });
    expect(errorCode(await gql(server.url, CREATE_WEBHOOK, { input: { url: receiver.url('/x'), role: 'finance' } }, lars.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, CREATE_WEBHOOK, { input: { url: receiver.url('/x'), approverId: fiona.id } }, lars.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(server.url, CREATE_WEBHOOK, { input: { url: 'ftp://example.com/hook' } }, lars.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(server.url, CREATE_WEBHOOK, { input: { url: receiver.url('/x') } }, server.adminToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(server.url, CREATE_WEBHOOK, { input: { url: receiver.url('/x') } }, agent.apiKey))).toBe('FORBIDDEN');

    const mine = await gqlOk(server.url, '{ webhooks { totalCount nodes { id url } } }', {}, lars.token);
    expect(mine.webhooks).toEqual({ totalCount: 1, nodes: [{ id: own.createWebhook.webhook.id, url: receiver.url('/mine') }] });
    expect(errorCode(await gql(server.url, DELETE_WEBHOOK, { id: own.createWebhook.webhook.id }, fiona.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(server.url, DELIVERIES, {}, lars.token))).toBe('FORBIDDEN');
    expect((await gqlOk(server.url, DELETE_WEBHOOK, { id: own.createWebhook.webhook.id }, lars.token)).deleteWebhook).toEqual({ id: own.createWebhook.webhook.id, active: false });
    expect((await gqlOk(server.url, '{ webhooks { totalCount } }', {}, lars.token)).webhooks.totalCount).toBe(0);

    // The log pages newest first, and outlives the webhooks it names.
    const first = await gqlOk(server.url, DELIVERIES, { first: 2 }, server.adminToken);
    expect(first.webhookDeliveries.pageInfo.hasNextPage).toBe(true);
    const second = await gqlOk(server.url, DELIVERIES, { first: 2, after: first.webhookDeliveries.pageInfo.endCursor }, server.adminToken);
    const firstIds = first.webhookDeliveries.nodes.map((d: { id: string }) => d.id);
    expect(second.webhookDeliveries.nodes.some((d: { id: string }) => firstIds.includes(d.id))).toBe(false);

    // Creating and deleting webhooks is audited, without the URL's path (it may be a secret).
    const audit = await gqlOk(server.url, 'query($f: AuditFilter) { auditLog(filter: $f) { nodes { kind data } } }', { f: { subjectId: own.createWebhook.webhook.id } }, server.adminToken);
    expect(audit.auditLog.nodes.map((e: { kind: string }) => e.kind)).toEqual(['WEBHOOK_CREATED', 'WEBHOOK_DELETED']);
    expect(JSON.stringify(audit.auditLog.nodes)).not.toContain('/mine');
  });

  it('attempts each delivery once when two instances share the outbox', async () => {
    const second = await startServer({ database, env: ENV, adminToken: server.adminToken });
    try {
      const hook = await createWebhook({ url: receiver.url('/two-instances'), approverId: fiona.id });
      const actions = [];
      for (let i = 0; i < 6; i++) actions.push(await submit(i % 2 ? second : server, agent.apiKey, { ...INPUTS.sync, idempotencyKey: `two-${i}` }));
      const log = await waitFor(async () => {
        const page = await deliveries({ webhookId: hook.webhook.id });
        return page.totalCount === actions.length && page.nodes.every((d: { status: string }) => d.status === 'DELIVERED') && page;
      }, { what: 'every delivery DELIVERED' });
      // Every attempt is counted when claimed: one attempt each means no instance sent what the other was sending.
      expect(log.nodes.map((d: { attempts: number }) => d.attempts)).toEqual(actions.map(() => 1));
      expect(receiver.at('/two-instances')).toHaveLength(actions.length);
      await gqlOk(server.url, DELETE_WEBHOOK, { id: hook.webhook.id }, server.adminToken);
    } finally {
      await second.dispose();
    }
  });

  it('delivers, after a restart on the same database, what was queued while the receiver was down', async () => {
    const hook = await createWebhook({ url: receiver.url('/outage'), approverId: fiona.id });
    await receiver.stop();
    const pending = await submit(server, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'during-outage' });
    const failing = await waitFor(async () => {
      const [d] = (await deliveries({ webhookId: hook.webhook.id })).nodes;
      return d && d.attempts >= 1 && d.lastError !== null ? d : undefined;
    }, { what: 'a failed attempt against the stopped receiver' });
    expect(failing).toMatchObject({ status: 'PENDING', lastStatusCode: null });
    expect(failing.lastError).toMatch(/^connection failed: ECONNREFUSED/);

    await server.dispose();
    await receiver.start(receiver.port);
    server = await startServer({ database, env: ENV, adminToken: server.adminToken });

    const received = await waitFor(() => receiver.at('/outage')[0], { what: 'the delivery after the restart' });
    expect(verifySignature(hook.secret, received)).toBe(true);
    expect(received.body).toMatchObject({ id: failing.id, event: 'ASSIGNED', action: { id: pending.id } });
    const delivered = await waitFor(async () => {
      const [d] = (await deliveries({ webhookId: hook.webhook.id })).nodes;
      return d?.status === 'DELIVERED' && d;
    }, { what: 'the log to show it DELIVERED' });
    expect(delivered.attempts).toBeGreaterThan(1);
    expect(delivered.deliveredAt).toBeTruthy();
  });
});
