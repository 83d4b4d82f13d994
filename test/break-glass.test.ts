import http from 'node:http';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '@countersign/admin-cli/testing';
import { ActionDeniedError, createClient, payloadHash, type Client } from '../packages/sdk/src/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createAgent, createApprover, startServer, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { ACTION_FIELDS, INPUTS, apply, governanceYaml } from './support/fixtures.js';

const ENV = {
  COUNTERSIGN_WEBHOOK_BACKOFF_MS: '20',
  COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '200',
  COUNTERSIGN_WEBHOOK_POLL_MS: '20',
  // The receivers run on 127.0.0.1, which production refuses.
  COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE: 'true',
};

const BREAK_GLASS_FIELDS = `${ACTION_FIELDS} reviewStatus breakGlass { justification used reviewOverdueSince } auditTrail { seq kind actorType data }`;
const GET = `query($id: ID!) { action(id: $id) { ${BREAK_GLASS_FIELDS} } }`;
const SUBMIT = `mutation($input: ActionInput!) { submitAction(input: $input) { ${ACTION_FIELDS} breakGlass { justification used reviewOverdueSince } } }`;
const REVIEW = 'mutation($input: ReviewInput!) { review(input: $input) { id reviewStatus } }';
const REVIEW_QUEUE = '{ reviewQueue(first: 50) { nodes { id statusReason breakGlass { justification } } } }';
const CREATE_WEBHOOK = 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }';
const DELIVERIES = `query($filter: WebhookDeliveryFilter) {
  webhookDeliveries(filter: $filter, first: 100) { nodes { event status webhook { id } body } }
}`;

/**
 * The DESIGN example with break-glass allowed on the payments policy, twice per agent and
 * UTC day: SYNC payments may break glass, everything else falls under no policy or one
 * without break-glass.
 */
function breakGlassGovernance(timeouts: Parameters<typeof governanceYaml>[0] = {}): string {
  const document = governanceYaml(timeouts);
  const withBreakGlass = document.replace('    consequences:\n', '    breakGlass: { allowed: true, maxPerDay: 2 }\n    consequences:\n');
  if (withBreakGlass === document) throw new Error('the payments policy of the example has no consequences block to put breakGlass before');
  return withBreakGlass;
}

/** WRITE (20) + CONFIDENTIAL (25) + external (25) + amount (25) under no policy: HIGH/CRITICAL → SYNC_APPROVAL, and no break-glass allowed. */
const SYNC_WITHOUT_POLICY = { ...INPUTS.sync, type: 'records.export', summary: 'Send the customer list to a partner', payload: { list: 'customers' } };

/** A webhook receiver on 127.0.0.1 that records every request by path. */
class Receiver {
  readonly requests: { path: string; body: any }[] = [];
  private server: http.Server | null = null;
  private port = 0;

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  about(actionId: string, event: string, path: string) {
    return this.requests.filter((r) => r.path === path && r.body.event === event && r.body.action.id === actionId);
  }
}

describe('break-glass (DESIGN §12)', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let receiver: Receiver;
  let fiona: { id: string; token: string };
  let lars: { id: string; token: string };
  let cfo: { id: string; token: string };
  const endpoints: Record<string, string> = {};
  const clients: Client[] = [];

  /** Submits as the agent, over raw GraphQL, with the break-glass the request carries. */
  const submit = async (server: TestServer, apiKey: string, input: Record<string, unknown>) => (await gqlOk(server.url, SUBMIT, { input }, apiKey)).submitAction;
  const get = async (id: string) => (await gqlOk(a.url, GET, { id }, a.adminToken)).action;
  const sdk = (apiKey: string, server = a) => {
    const client = createClient({ url: server.url, apiKey, retry: { initialDelay: 50, maxDelay: 500 } });
    clients.push(client);
    return client;
  };
  const breakGlass = (input: Record<string, unknown>, justification: string) => ({ ...input, breakGlass: { justification } });
  const webhook = async (input: Record<string, unknown>, token = a.adminToken) => (await gqlOk(a.url, CREATE_WEBHOOK, { input }, token)).createWebhook.webhook.id as string;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startServer({ database, env: ENV });
    b = await startServer({ database, adminToken: a.adminToken, env: ENV });
    receiver = await new Receiver().start();
    fiona = await createApprover(a, 'fiona', ['finance']);
    lars = await createApprover(a, 'lars', ['finance-lead']);
    cfo = await createApprover(a, 'cfo');
    await createApprover(a, 'carol', ['compliance']);
    // Fiona hears only DECIDED on her own endpoint: BREAK_GLASS comes anyway.
    endpoints.fiona = await webhook({ url: receiver.url('/fiona'), events: ['DECIDED'] }, fiona.token);
    // Lars (level 2) registered his own: he hears of the break-glass when the review reaches him, not before.
    endpoints.lars = await webhook({ url: receiver.url('/lars') }, lars.token);
    // Every role-wide endpoint, whoever holds the role, and every endpoint an admin registered.
    endpoints.compliance = await webhook({ url: receiver.url('/compliance'), role: 'compliance', events: ['ASSIGNED'] });
    endpoints.cfo = await webhook({ url: receiver.url('/cfo'), approverId: cfo.id, events: ['DECIDED'] });
    await apply(a, breakGlassGovernance());
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await a?.dispose();
    await b?.dispose();
    await receiver?.stop();
    await database?.drop();
  });

  it('approves a request that would wait, through guard({ breakGlass }), with a receipt whose bg claim verifies with jose', async () => {
    const agent = await createAgent(a, 'ops-agent');
    const cs = sdk(agent.apiKey);
    let ran: unknown = null;
    const result = await cs.guard(INPUTS.sync, async (payload) => {
      ran = payload;
      return { wired: true };
    }, { breakGlass: 'The payroll bank cuts off at 17:00 and nobody in finance answers' });
    expect(result).toEqual({ wired: true });
    expect(ran).toEqual(INPUTS.sync.payload);

    const [approved] = (await gqlOk(a.url, '{ myActions(first: 1) { nodes { id } } }', {}, agent.apiKey)).myActions.nodes;
    const action = await waitFor(async () => {
      const current = await get(approved.id);
      return current.outcome?.status === 'SUCCEEDED' && current;
    }, { what: 'the outcome guard reports' });
    expect(action).toMatchObject({
      status: 'APPROVED', statusReason: 'BREAK_GLASS', mode: 'SYNC_APPROVAL', reviewStatus: 'UNREVIEWED', route: 'payments', escalationLevel: 1,
      approvedPayload: INPUTS.sync.payload,
      breakGlass: { justification: 'The payroll bank cuts off at 17:00 and nobody in finance answers', used: true, reviewOverdueSince: null },
    });
    // The mandatory review: the route's first level, with that level's deadline.
    expect(action.assignees).toEqual([expect.objectContaining({ approver: expect.objectContaining({ id: fiona.id }), level: 1 })]);
    expect(new Date(action.deadline).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(action.decisions).toEqual([]);

    const kinds = action.auditTrail.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ACTION_SUBMITTED', 'ACTION_ASSIGNED', 'ACTION_APPROVED', 'BREAK_GLASS_USED']));
    expect(action.auditTrail.find((e: { kind: string }) => e.kind === 'BREAK_GLASS_USED')).toMatchObject({
      actorType: 'AGENT', data: { justification: 'The payroll bank cuts off at 17:00 and nobody in finance answers', policy: 'payments', maxPerDay: 2, usesToday: 1 },
    });

    // The executing system checks the receipt offline against the JWKS, with jose.
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', a.url));
    const { payload } = await jwtVerify(action.receipt, jwks);
    expect(payload).toMatchObject({ sub: action.id, agt: agent.id, act: 'payments.transfer', pld: payloadHash(INPUTS.sync.payload), bg: true });
    // An approval that is not break-glass carries no bg claim.
    const reviewed = await submit(a, agent.apiKey, INPUTS.asyncReview);
    expect((await jwtVerify(reviewed.receipt, jwks)).payload).not.toHaveProperty('bg');

    // What the reviewer sees: the request in their review queue, with the justification.
    const queue = (await gqlOk(a.url, REVIEW_QUEUE, {}, fiona.token)).reviewQueue.nodes;
    expect(queue).toContainEqual({ id: action.id, statusReason: 'BREAK_GLASS', breakGlass: { justification: 'The payroll bank cuts off at 17:00 and nobody in finance answers' } });

    // An acknowledgement ends the review.
    expect((await gqlOk(a.url, REVIEW, { input: { actionId: action.id, verdict: 'ACKNOWLEDGE', comment: 'Fine, payroll had to go out' } }, fiona.token)).review.reviewStatus).toBe('ACKNOWLEDGED');
    expect((await gqlOk(a.url, REVIEW_QUEUE, {}, fiona.token)).reviewQueue.nodes.map((n: { id: string }) => n.id)).not.toContain(action.id);
  });

  it('sends BREAK_GLASS to the route\'s reviewers and to every role-wide and admin-registered webhook, whatever events they chose', async () => {
    const agent = await createAgent(a, 'webhook-agent');
    const action = await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Card processor outage: refunds are stuck'));
    expect(action.statusReason).toBe('BREAK_GLASS');

    // The outbox rows are written with the approval, in its transaction: who is told is settled at once.
    const rows = (await gqlOk(a.url, DELIVERIES, { filter: { actionId: action.id, event: 'BREAK_GLASS' } }, a.adminToken)).webhookDeliveries.nodes;
    expect(rows.map((r: { webhook: { id: string } }) => r.webhook.id).sort()).toEqual([endpoints.fiona, endpoints.compliance, endpoints.cfo].sort());

    for (const path of ['/fiona', '/compliance', '/cfo']) {
      const [message] = await waitFor(() => {
        const found = receiver.about(action.id, 'BREAK_GLASS', path);
        return found.length > 0 && found;
      }, { what: `the BREAK_GLASS webhook at ${path}` });
      expect(message!.body).toMatchObject({
        event: 'BREAK_GLASS',
        action: { id: action.id, status: 'APPROVED', statusReason: 'BREAK_GLASS', escalationLevel: 1 },
        breakGlass: { justification: 'Card processor outage: refunds are stuck', reviewDeadline: expect.any(String) },
      });
    }
    expect(receiver.about(action.id, 'BREAK_GLASS', '/lars')).toEqual([]);
  });

  it('denies break-glass over the daily limit (BREAK_GLASS_LIMIT), through the SDK and raw GraphQL', async () => {
    const agent = await createAgent(a, 'limit-agent');
    const cs = sdk(agent.apiKey);
    for (const n of [1, 2]) {
      const approved = await cs.requestApproval({ ...INPUTS.sync, summary: `Emergency wire ${n}`, breakGlass: { justification: `Outage ${n}` } });
      expect(approved.statusReason).toBe('BREAK_GLASS');
      expect(approved.breakGlass).toMatchObject({ justification: `Outage ${n}`, used: true });
    }
    const refusal = await cs.requestApproval({ ...INPUTS.sync, summary: 'Emergency wire 3', breakGlass: { justification: 'Outage 3' } }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ActionDeniedError);
    expect((refusal as ActionDeniedError).reason).toBe('BREAK_GLASS_LIMIT');

    const denied = await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Outage 4'));
    expect(denied).toMatchObject({ status: 'DENIED', statusReason: 'BREAK_GLASS_LIMIT', receipt: null, approvedPayload: null, breakGlass: { justification: 'Outage 4', used: false } });
    expect((await get(denied.id)).auditTrail.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['BREAK_GLASS_REFUSED', 'ACTION_DENIED']));
    // The same request without break-glass still waits for approval as usual.
    expect((await submit(a, agent.apiKey, INPUTS.sync)).status).toBe('PENDING');
  });

  it('holds the limit when one agent breaks glass at once on two instances, the refused ones denied without failing the rest', async () => {
    const agent = await createAgent(a, 'burst-agent');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => submit(i % 2 === 0 ? a : b, agent.apiKey, breakGlass({ ...INPUTS.sync, summary: `Burst ${i}` }, `Burst ${i}`))),
    );
    const reasons = results.map((r) => r.statusReason).sort();
    expect(reasons).toEqual(['BREAK_GLASS', 'BREAK_GLASS', ...Array(6).fill('BREAK_GLASS_LIMIT')]);
    for (const r of results) expect(r.status).toBe(r.statusReason === 'BREAK_GLASS' ? 'APPROVED' : 'DENIED');
  });

  it('never breaks through a BLOCK, and lets AUTO be AUTO without counting it', async () => {
    const agent = await createAgent(a, 'block-agent');
    const blocked = await submit(a, agent.apiKey, breakGlass(INPUTS.blocked, 'The auditor needs the ledger now'));
    expect(blocked).toMatchObject({ status: 'DENIED', statusReason: 'BLOCKED_BY_POLICY', receipt: null, breakGlass: { used: false } });
    expect(blocked.notes).toContainEqual(expect.stringContaining('never opens a blocked one'));

    for (let i = 0; i < 3; i++) {
      const auto = await submit(a, agent.apiKey, breakGlass({ ...INPUTS.auto, summary: `Read ${i}` }, 'Just in case'));
      expect(auto).toMatchObject({ status: 'APPROVED', statusReason: 'AUTO_APPROVED', mode: 'AUTO', breakGlass: { used: false } });
      expect(auto.notes).toContainEqual(expect.stringContaining('not counted'));
      expect((await jwtVerify(auto.receipt, createRemoteJWKSet(new URL('/.well-known/jwks.json', a.url)))).payload).not.toHaveProperty('bg');
    }
    // Nothing was counted: both of today's uses are still there.
    expect((await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'First real use'))).statusReason).toBe('BREAK_GLASS');
    expect((await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Second real use'))).statusReason).toBe('BREAK_GLASS');
  });

  it('never breaks through for a suspended agent', async () => {
    const agent = await createAgent(a, 'suspended-agent');
    await gqlOk(a.url, 'mutation($id: ID!) { suspendAgent(id: $id, reason: "Looping on refunds") { id status } }', { id: agent.id }, a.adminToken);
    const denied = await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Let me through'));
    expect(denied).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED', receipt: null, approvedPayload: null });
  });

  it('denies break-glass where the policy does not allow it, and refuses a blank justification', async () => {
    const agent = await createAgent(a, 'records-agent');
    const denied = await submit(a, agent.apiKey, breakGlass(SYNC_WITHOUT_POLICY, 'The partner deadline is today'));
    expect(denied).toMatchObject({ mode: 'SYNC_APPROVAL', status: 'DENIED', statusReason: 'BREAK_GLASS_NOT_ALLOWED', receipt: null, breakGlass: { justification: 'The partner deadline is today', used: false } });

    for (const justification of ['', '   ', 'x'.repeat(2001)]) {
      const result = await gql(a.url, SUBMIT, { input: breakGlass(INPUTS.sync, justification) }, agent.apiKey);
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.extensions!.field).toBe('breakGlass.justification');
    }
  });

  it('escalates an unacknowledged review along the chain, then keeps it overdue with the last level, still approved', async () => {
    await apply(a, breakGlassGovernance({ financeTimeout: '1s', leadTimeout: '1s', cfoTimeout: '1s' }));
    try {
      const agent = await createAgent(a, 'night-agent');
      const action = await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Night batch: the vendor API key expires at midnight'));
      expect(action).toMatchObject({ status: 'APPROVED', statusReason: 'BREAK_GLASS', escalationLevel: 1 });

      const overdue = await waitFor(async () => {
        const current = await get(action.id);
        return current.auditTrail.some((e: { kind: string }) => e.kind === 'REVIEW_OVERDUE') && current;
      }, { what: 'the review to run through the chain' });
      const escalations = overdue.auditTrail.filter((e: { kind: string }) => e.kind === 'ESCALATED');
      expect(escalations.map((e: { data: { fromLevel: number; toLevel: number; kind: string } }) => [e.data.fromLevel, e.data.toLevel, e.data.kind])).toEqual([[1, 2, 'REVIEW'], [2, 3, 'REVIEW']]);
      // Already approved: it is not expired, it stays with the last level, overdue.
      expect(overdue).toMatchObject({ status: 'APPROVED', statusReason: 'BREAK_GLASS', reviewStatus: 'UNREVIEWED', escalationLevel: 3 });
      expect(overdue.breakGlass.reviewOverdueSince).toEqual(expect.any(String));
      expect(overdue.assignees).toEqual([expect.objectContaining({ approver: expect.objectContaining({ id: cfo.id }), level: 3 })]);
      expect((await gqlOk(a.url, REVIEW_QUEUE, {}, cfo.token)).reviewQueue.nodes.map((n: { id: string }) => n.id)).toContain(action.id);

      // Lars heard of it when it reached him, as a review to do.
      const [escalated] = await waitFor(() => {
        const found = receiver.about(action.id, 'ESCALATED', '/lars');
        return found.length > 0 && found;
      }, { what: "lars's ESCALATED webhook" });
      expect(escalated!.body).toMatchObject({ assignment: 'REVIEW', escalation: { fromLevel: 1, toLevel: 2 } });

      // A flag from the last level ends it.
      expect((await gqlOk(a.url, REVIEW, { input: { actionId: action.id, verdict: 'FLAG', comment: 'This could have waited for me' } }, cfo.token)).review.reviewStatus).toBe('FLAGGED');
      expect((await get(action.id)).status).toBe('APPROVED');
    } finally {
      await apply(a, breakGlassGovernance());
    }
  });

  it('shows the break-glass and its justification first in `countersign show`', async () => {
    const agent = await createAgent(a, 'cli-agent');
    const action = await submit(a, agent.apiKey, breakGlass(INPUTS.sync, 'Warehouse robots stopped: restart the fleet'));
    const shown = await runCli(['show', action.id], { env: { COUNTERSIGN_URL: a.url, COUNTERSIGN_TOKEN: fiona.token, HOME: tmpdir(), XDG_CONFIG_HOME: tmpdir() } });
    expect(shown.code, shown.stderr).toBe(0);
    const banner = shown.stdout.split('\n').findIndex((line) => line.includes('BREAK-GLASS'));
    expect(banner).toBeGreaterThanOrEqual(0);
    expect(banner).toBeLessThan(shown.stdout.split('\n').findIndex((line) => line.includes('Summary')));
    expect(shown.stdout).toContain('"Warehouse robots stopped: restart the fleet"');
    expect(shown.stdout).toContain(`countersign review ${action.id} --ack|--flag`);
  });

  it('counts break-glass in metrics and Prometheus, and the audit chain verifies', async () => {
    const metrics = (await gqlOk(a.url, '{ metrics(window: "1h") { breakGlassUses breakGlassRefused } }', {}, a.adminToken)).metrics;
    // Used: 1 (guard) + 1 (webhooks) + 2 (limit) + 2 (burst) + 2 (block/auto test) + 1 (escalation) + 1 (cli).
    expect(metrics).toEqual({ breakGlassUses: 10, breakGlassRefused: 2 + 6 + 1 });
    const prometheus = await (await fetch(new URL('/metrics', b.url))).text();
    expect(prometheus).toContain('countersign_break_glass_total{result="used"} 10');
    expect(prometheus).toContain('countersign_break_glass_total{result="limit"} 8');
    expect(prometheus).toContain('countersign_break_glass_total{result="not_allowed"} 1');
    // Only admins read the metrics.
    expect(errorCode(await gql(a.url, '{ metrics(window: "1h") { breakGlassUses } }', {}, fiona.token))).toBe('FORBIDDEN');

    expect((await gqlOk(a.url, '{ verifyAuditChain { valid brokenAt } }', {}, a.adminToken)).verifyAuditChain).toEqual({ valid: true, brokenAt: null });
  });
});
