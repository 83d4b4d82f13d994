import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, CountersignError, type Client } from '../packages/sdk/src/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { gql, gqlOk, wsClient, wsOnce } from './support/graphql.js';
import { waitFor, within } from './support/wait.js';
import { DECIDE, INPUTS, apply, governanceYaml } from './support/fixtures.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * Short timeouts, so that the promise "UNAVAILABLE within 10 s, /readyz 503 within 5 s"
 * is kept by the configuration under test; the test's deadlines only bound it.
 */
const ENV = {
  DATABASE_STATEMENT_TIMEOUT_MS: '2000',
  DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
  COUNTERSIGN_READINESS_TIMEOUT_MS: '1000',
  COUNTERSIGN_WEBHOOK_POLL_MS: '50',
  COUNTERSIGN_WEBHOOK_BACKOFF_MS: '50',
  COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '500',
  // The test's webhook receiver listens on loopback.
  COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE: 'true',
};

/** What DESIGN §11 promises: an answer within 10 s however the database fails. */
const UNAVAILABLE_DEADLINE_MS = 10_000;
const READYZ_DEADLINE_MS = 5_000;

/** Submits until told to stop, like an agent at work; records every id it was given and every error. */
class Agent {
  readonly ids: string[] = [];
  readonly errors: unknown[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly cs: Client) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        // Each call is bounded: a submission that hangs fails the test.
        const action = await within(this.cs.submit(INPUTS.auto), UNAVAILABLE_DEADLINE_MS, 'a submission');
        this.ids.push(action.id);
      } catch (error) {
        this.errors.push(error);
        if (!(error instanceof CountersignError)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('a database that fails under load', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let lars: { id: string; token: string };
  /** Webhook events received, by event name (`Countersign-Event`). */
  const hooks: string[] = [];
  const receiver = http.createServer((req, res) => {
    hooks.push(String(req.headers['countersign-event']));
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  const clients: Client[] = [];

  const agentClient = async (name: string) => {
    const agent = await createAgent(server, name);
    // No retries: each failure the server reports reaches the test as it was reported.
    const cs = createClient({ url: server.url, apiKey: agent.apiKey, retry: false });
    clients.push(cs);
    return cs;
  };
  const readyz = () => fetch(new URL('/readyz', server.url));
  const submitCode = async (cs: Client) => {
    try {
      await cs.submit(INPUTS.auto);
      return 'OK';
    } catch (error) {
      return error instanceof CountersignError ? error.code : String(error);
    }
  };

  /** How a subscription that must read the database first ends: its first result's code, or its error's. */
  const subscriptionCode = async (actionId: string) => {
    const client = wsClient(server.url, server.adminToken);
    try {
      const result = await wsOnce(client, 'subscription($id: ID!) { actionUpdated(id: $id) { id status } }', { id: actionId });
      return result.errors?.[0]?.extensions?.code ?? 'OK';
    } catch (error) {
      const text = (error as Error).message;
      return text.includes('"UNAVAILABLE"') ? 'UNAVAILABLE' : text;
    } finally {
      await client.dispose();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const proxied = await TcpProxy.for(database.url);
    proxy = proxied.proxy;
    server = await startServer({ database: { ...database, url: proxied.url }, env: ENV });
    await createApprover(server, 'fiona', ['finance']);
    lars = await createApprover(server, 'lars', ['finance-lead']);
    // The first level times out during the outages: its timer must fire once the database is back,
    // and the webhook telling lars must go out.
    await apply(server, governanceYaml({ financeTimeout: '3s', leadTimeout: '1h' }));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lars`;
    await gqlOk(server.url, 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }', { input: { url: hookUrl, approverId: lars.id, events: ['ESCALATED'] } }, server.adminToken);
  });
  afterAll(async () => {
    await Promise.all(clients.map((cs) => cs.dispose()));
    await server?.dispose();
    await proxy?.close();
    await database?.drop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('answers UNAVAILABLE while the database is cut and then black-holed, recovers each time without a restart, and loses nothing', async () => {
    const agents = await Promise.all([1, 2, 3].map(async (n) => new Agent(await agentClient(`worker-${n}`))));
    // Agents waiting on a decision through the outage (their first level times out meanwhile).
    const waiter = await agentClient('waiter');
    const pending = await Promise.all([1, 2].map(() => waiter.submit(INPUTS.sync)));
    const waits = pending.map((action) => waiter.wait(action.id, { timeout: '120s' }));
    waits.forEach((wait) => wait.catch(() => undefined));
    const probe = await agentClient('probe');
    await waitFor(() => agents.every((agent) => agent.ids.length > 0), { what: 'every agent to submit once' });

    for (const failure of ['cut', 'black hole'] as const) {
      if (failure === 'cut') await proxy.cut();
      else proxy.blackHole();

      // Submissions arriving together share a transaction: every one of them hears of the failure.
      const together = await within(Promise.all(Array.from({ length: 10 }, () => submitCode(probe))), UNAVAILABLE_DEADLINE_MS, `submissions with the database ${failure}`);
      expect(together).toEqual(Array.from({ length: 10 }, () => 'UNAVAILABLE'));
      const response = await within(readyz(), READYZ_DEADLINE_MS, `/readyz with the database ${failure}`);
      expect(response.status).toBe(503);
      // Raw HTTP: the status and Retry-After a load balancer reads.
      const raw = await within(gql(server.url, '{ verifyAuditChain { valid } }', {}, server.adminToken), UNAVAILABLE_DEADLINE_MS, `a query with the database ${failure}`);
      expect(raw.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
      expect(raw.status).toBe(503);
      expect(raw.retryAfter).toBe('5');
      // A subscription that reads on subscribe says so too, over WebSocket.
      expect(await within(subscriptionCode(pending[0]!.id), UNAVAILABLE_DEADLINE_MS, `a subscription with the database ${failure}`)).toBe('UNAVAILABLE');
      // The server itself stays up.
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);

      await proxy.restore();
      await waitFor(async () => (await readyz()).status === 200, { what: `/readyz after the ${failure}` });
      await waitFor(async () => (await submitCode(probe)) === 'OK', { what: `a submission after the ${failure}` });
    }

    // Let every agent get through once more after the last recovery, then stop them.
    const counts = agents.map((agent) => agent.ids.length);
    await waitFor(() => agents.every((agent, i) => agent.ids.length > counts[i]!), { what: 'every agent to submit again after recovery' });
    await Promise.all(agents.map((agent) => agent.stop()));

    // Every failure an agent saw was UNAVAILABLE: never a hang, an INTERNAL_SERVER_ERROR or a network error.
    const codes = new Set(agents.flatMap((agent) => agent.errors.map((error) => (error instanceof CountersignError ? error.code : String(error)))));
    expect([...codes].filter((code) => code !== 'UNAVAILABLE')).toEqual([]);
    expect(codes.has('UNAVAILABLE')).toBe(true);

    // Every id an agent was given exists, whole, with its audit event.
    const ids = agents.flatMap((agent) => agent.ids);
    const stored = await database.query<{ id: string; audited: boolean }>(
      `select a."id", exists(select 1 from "audit_event" e where e."subject_id" = a."id"::text) as audited from "action_request" a where a."id" = any($1::uuid[])`,
      [ids],
    );
    expect(stored.length).toBe(new Set(ids).size);
    expect(stored.every((row) => row.audited)).toBe(true);

    // The escalation timers fired after all, and the waiting agents hear the decisions made after recovery.
    const level = async (id: string) => (await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { escalationLevel } }', { id }, server.adminToken)).action.escalationLevel;
    for (const action of pending) await waitFor(async () => (await level(action.id)) === 2, { what: `the escalation of ${action.id}` });
    await waitFor(() => hooks.filter((event) => event === 'ESCALATED').length >= pending.length, { what: 'the ESCALATED webhooks' });
    for (const action of pending) await gqlOk(server.url, DECIDE, { input: { actionId: action.id, verdict: 'APPROVE' } }, lars.token);
    await expect(within(Promise.all(waits), 30_000, 'the waits')).resolves.toEqual(pending.map((action) => expect.objectContaining({ id: action.id, status: 'APPROVED' })));

    const chain = await gqlOk(server.url, '{ verifyAuditChain { valid checked brokenAt } }', {}, server.adminToken);
    expect(chain.verifyAuditChain).toMatchObject({ valid: true, brokenAt: null });
  });

  it('fails to start, rather than hang, on a database that does not answer', async () => {
    const silent = await TcpProxy.for(database.url);
    silent.proxy.blackHole();
    try {
      await expect(within(startServer({ database: { ...database, url: silent.url }, env: ENV }), UNAVAILABLE_DEADLINE_MS, 'a start on a silent database')).rejects.toThrow(/timeout|terminated|ECONN/i);
    } finally {
      await silent.proxy.close();
    }
  });
});
