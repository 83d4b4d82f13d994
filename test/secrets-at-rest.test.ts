import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { SecretBox } from '@countersign/server';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, createApprover, type TestServer } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const ENV = {
  COUNTERSIGN_SECRET_KEY: KEY.toString('base64'),
  COUNTERSIGN_WEBHOOK_POLL_MS: '20',
  COUNTERSIGN_WEBHOOK_BACKOFF_MS: '20',
  COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '200',
  // The receiver below listens on loopback.
  COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE: 'true',
};

/** Records what it is sent, with the headers, as an integrator's receiver would. */
async function startReceiver() {
  const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function signedWith(secret: string, request: { headers: http.IncomingHttpHeaders; raw: string }): boolean {
  const timestamp = String(request.headers['countersign-timestamp']);
  return request.headers['countersign-signature'] === `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.raw}`).digest('hex')}`;
}

async function verifyReceipt(server: TestServer, receipt: string) {
  const keys = createLocalJWKSet((await (await fetch(new URL('/.well-known/jwks.json', server.url))).json()) as JSONWebKeySet);
  return (await jwtVerify(receipt, keys)).payload;
}

/** Everything the tables that hold secrets hold, as a dump would show it. */
async function dump(database: TestDatabase): Promise<string> {
  const tables = await Promise.all(['signing_key', 'webhook_endpoint', 'server_setting'].map((table) => database.query(`select * from "${table}"`)));
  return JSON.stringify(tables);
}

const CREATE_WEBHOOK = 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }';

describe('secrets at rest', () => {
  let database: TestDatabase;
  let server: TestServer | null = null;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let agent: { id: string; apiKey: string };
  let fiona: { id: string; token: string };
  let webhookSecret: string;
  let firstReceipt: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await startReceiver();
    server = await startServer({ database, env: ENV });
    fiona = await createApprover(server, 'fiona', ['finance']);
    agent = await createAgent(server, 'ap-agent');
    await apply(server, governanceYaml());
    webhookSecret = (await gqlOk(server.url, CREATE_WEBHOOK, { input: { url: receiver.url, approverId: fiona.id } }, server.adminToken)).createWebhook.secret;
    firstReceipt = (await submit(server, agent.apiKey, INPUTS.auto)).receipt;
  });
  afterAll(async () => {
    await server?.dispose();
    await receiver?.stop();
    await database?.drop();
  });

  it('keeps no signing key, webhook secret or token-hashing key in clear in a database dump', async () => {
    const rows = await dump(database);
    expect(rows).not.toContain(webhookSecret);
    expect(rows).not.toContain('whsec_');
    const keys = await database.query<{ private_jwk: string }>('select "private_jwk" from "signing_key"');
    expect(keys.length).toBeGreaterThan(0);
    for (const { private_jwk } of keys) {
      expect(SecretBox.isSealed(private_jwk)).toBe(true);
      expect(private_jwk).not.toContain('"d"');
    }
    const [hashKey] = await database.query<{ value: string }>(`select "value" from "server_setting" where "name" = 'token_hash_key'`);
    expect(SecretBox.isSealed(hashKey!.value)).toBe(true);
    // The server still signs with the key it keeps sealed.
    await expect(verifyReceipt(server!, firstReceipt)).resolves.toMatchObject({ agt: agent.id });
  });

  it('refuses to start with another COUNTERSIGN_SECRET_KEY on the same database, naming the variable', async () => {
    await expect(startServer({ database, env: { ...ENV, COUNTERSIGN_SECRET_KEY: OTHER_KEY.toString('base64') } })).rejects.toThrow(/COUNTERSIGN_SECRET_KEY/);
    // The instance with the right key is unharmed.
    await expect(submit(server!, agent.apiKey, INPUTS.auto)).resolves.toMatchObject({ status: 'APPROVED' });
  });

  it('encrypts a database an earlier version left in clear, and its receipts still verify and its webhooks still sign', async () => {
    await server!.dispose();
    server = null;
    // The database as the previous version kept it: the private key as a JSON document, the
    // webhook secret and the token-hashing key as they are, no key check, the migration not run.
    const box = new SecretBox(KEY);
    const [key] = await database.query<{ kid: string; private_jwk: string }>('select "kid", "private_jwk" from "signing_key" where "retired_at" is null');
    const [hook] = await database.query<{ id: string; secret: string }>('select "id", "secret" from "webhook_endpoint"');
    const [hashKey] = await database.query<{ value: string }>(`select "value" from "server_setting" where "name" = 'token_hash_key'`);
    await database.query(`delete from "mikro_orm_migrations" where "name" = 'Migration20261204000000_secrets_at_rest'`);
    await database.query(`delete from "server_setting" where "name" = 'secret_key_check'`);
    await database.query('update "signing_key" set "private_jwk" = $1 where "kid" = $2', [box.open(key!.private_jwk, `signing_key.private_jwk:${key!.kid}`), key!.kid]);
    await database.query('alter table "signing_key" alter column "private_jwk" type jsonb using "private_jwk"::jsonb');
    await database.query('update "webhook_endpoint" set "secret" = $1 where "id" = $2', [box.open(hook!.secret, `webhook_endpoint.secret:${hook!.id}`), hook!.id]);
    await database.query(`update "server_setting" set "value" = $1 where "name" = 'token_hash_key'`, [box.open(hashKey!.value, 'server_setting.value:token_hash_key')]);
    expect(await dump(database)).toContain(webhookSecret);

    server = await startServer({ database, env: ENV });

    expect(await dump(database)).not.toContain(webhookSecret);
    const [migrated] = await database.query<{ private_jwk: string }>('select "private_jwk" from "signing_key" where "kid" = $1', [key!.kid]);
    expect(SecretBox.isSealed(migrated!.private_jwk)).toBe(true);
    // The same key signs: a receipt from before and one from now verify with the same kid;
    // agents' keys still authenticate (the token-hashing key is the same one).
    const receipt = (await submit(server, agent.apiKey, INPUTS.auto)).receipt;
    await expect(verifyReceipt(server, firstReceipt)).resolves.toMatchObject({ agt: agent.id });
    await expect(verifyReceipt(server, receipt)).resolves.toMatchObject({ agt: agent.id });
    expect(JSON.parse(Buffer.from(receipt.split('.')[0]!, 'base64url').toString()).kid).toBe(key!.kid);
    // The webhook is signed with the secret its receiver was given at creation.
    await submit(server, agent.apiKey, INPUTS.sync);
    const delivered = await waitFor(() => receiver.received.at(-1), { what: 'a webhook delivery' });
    expect(signedWith(webhookSecret, delivered)).toBe(true);

    // Starting again finds nothing left in clear and changes nothing.
    const before = await dump(database);
    await server.dispose();
    server = await startServer({ database, env: ENV });
    expect(await dump(database)).toBe(before);
  });
});
