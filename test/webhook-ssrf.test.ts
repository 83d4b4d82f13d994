import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { errorCode, gql, gqlOk } from './support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

const CREATE_WEBHOOK = 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }';
const DELIVERIES = `query($filter: WebhookDeliveryFilter) {
  webhookDeliveries(filter: $filter, first: 50) { nodes { status attempts lastError lastStatusCode webhook { id } } }
}`;
const FAST = { COUNTERSIGN_WEBHOOK_BACKOFF_MS: '20', COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '200', COUNTERSIGN_WEBHOOK_POLL_MS: '20', COUNTERSIGN_WEBHOOK_MAX_ATTEMPTS: '3' };

/** Every spelling of a local address an attacker might register, as a webhook URL's host. */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '10.1.2.3', '[fd12::1]', '224.0.0.251'];

describe('webhooks go to public addresses only (SSRF)', () => {
  let database: TestDatabase;
  let server: TestServer;
  /** A local service the server must not reach: it records whatever reaches it. */
  let local: http.Server;
  let port = 0;
  const reached: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    local = http.createServer((req, res) => {
      reached.push(req.url ?? '/');
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal secrets: db password is hunter2');
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', () => resolve()));
    port = (local.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await server?.dispose();
    local?.closeAllConnections();
    await new Promise<void>((resolve) => local?.close(() => resolve()));
    await database?.drop();
  });

  it('refuses to register a webhook to a local address, in any spelling, with BAD_USER_INPUT', async () => {
    server = await startServer({ database, env: FAST });
    const approver = await createApprover(server, 'mallory', ['finance']);
    for (const host of LOCAL_HOSTS) {
      for (const token of [approver.token, server.adminToken]) {
        const input = token === server.adminToken ? { url: `http://${host}:${port}/steal`, approverId: approver.id } : { url: `http://${host}:${port}/steal` };
        const result = await gql(server.url, CREATE_WEBHOOK, { input }, token);
        expect(errorCode(result), `${host}: ${JSON.stringify(result.errors)}`).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0]?.message).toMatch(/not a public address/);
      }
    }
    // A name that resolves to 127.0.0.1 is refused for where it resolves to.
    const byName = await gql(server.url, CREATE_WEBHOOK, { input: { url: `http://localhost:${port}/steal` } }, approver.token);
    expect(byName.errors?.[0]?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    const listed = await gqlOk(server.url, '{ webhooks { totalCount } }', {}, server.adminToken);
    expect(listed.webhooks.totalCount).toBe(0);
    expect(reached).toEqual([]);
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
    await server.dispose();
  });

  it('checks the address again at delivery: a webhook registered while private addresses were allowed is not reached once they are not', async () => {
    // Development: private addresses allowed, a local receiver registered (by address and by name).
    server = await startServer({ database, env: { ...FAST, COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE: 'true' }, adminToken: server.adminToken });
    const fiona = await createApprover(server, 'fiona', ['finance']);
    const agent = await createAgent(server, 'payer');
    await apply(server, governanceYaml());
    const byAddress = (await gqlOk(server.url, CREATE_WEBHOOK, { input: { url: `http://127.0.0.1:${port}/by-address`, approverId: fiona.id, events: ['ASSIGNED'] } }, server.adminToken)).createWebhook;
    const byName = (await gqlOk(server.url, CREATE_WEBHOOK, { input: { url: `http://localhost:${port}/by-name`, approverId: fiona.id, events: ['ASSIGNED'] } }, server.adminToken)).createWebhook;
    // While allowed, deliveries reach it; its error answer is kept to the status line.
    await submit(server, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'allowed' });
    const allowed = await waitFor(async () => {
      const nodes = (await gqlOk(server.url, DELIVERIES, { filter: { webhookId: byAddress.webhook.id } }, server.adminToken)).webhookDeliveries.nodes;
      return nodes.find((d: { lastStatusCode: number | null }) => d.lastStatusCode === 500);
    }, { what: 'a delivery to reach the local receiver' });
    expect(allowed.lastError).toBe('HTTP 500 Internal Server Error');
    await server.dispose();

    // Production: restarted with the switch off, on the same database.
    server = await startServer({ database, env: FAST, adminToken: server.adminToken });
    await waitFor(async () => {
      const nodes = (await gqlOk(server.url, DELIVERIES, { filter: { status: 'PENDING' } }, server.adminToken)).webhookDeliveries.nodes;
      return nodes.length === 0;
    }, { what: 'the deliveries left from before to end' });
    reached.length = 0;
    await submit(server, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'refused' });
    for (const hook of [byAddress, byName]) {
      const failed = await waitFor(async () => {
        const nodes = (await gqlOk(server.url, DELIVERIES, { filter: { webhookId: hook.webhook.id, status: 'FAILED' } }, server.adminToken)).webhookDeliveries.nodes;
        return nodes.find((d: { lastError: string | null }) => d.lastError?.startsWith('refused'));
      }, { what: 'the delivery to be refused' });
      expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, lastStatusCode: null });
      expect(failed.lastError).toMatch(/not a public address/);
    }
    expect(reached).toEqual([]);
  });
});
