import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@countersign/server';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, type TestServer } from './support/server.js';
import { errorCode, gql } from './support/graphql.js';
import { INPUTS, SUBMIT, apply, governanceYaml } from './support/fixtures.js';

/** A value only a request's payload carries: it must never be written to the log. */
const MARKER = 'payload-marker-5c1e9';

/** Every line the server logs, as written (pino's destination). */
const lines: string[] = [];
const capture = { write: (line: string) => void lines.push(line) };

describe('logs carry no SQL values and no payloads', () => {
  let database: TestDatabase;
  let server: TestServer;
  let agent: { id: string; apiKey: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database, logger: createLogger('debug', capture) });
    agent = await createAgent(server, 'ap-agent');
    await apply(server, governanceYaml());
    // Statements that fail on the marker, the way an unexpected database error would: on the
    // submission path (pg directly) and on an ORM path (MikroORM and knex, which inline values).
    await database.query(`alter table "action_request" add constraint "no_marker" check ("payload"::text not like '%${MARKER}%')`);
    await database.query(`alter table "agent" add constraint "agent_no_marker" check ("name" not like '%${MARKER}%')`);
  });
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
  });

  it('logs a failing submission by its code without the statement, its values or the payload', async () => {
    const result = await gql(server.url, SUBMIT, { input: { ...INPUTS.auto, payload: { note: MARKER } } }, agent.apiKey);
    expect(errorCode(result)).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(result)).not.toContain(MARKER);
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.err?.code === '23514');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0].err.message).toContain('no_marker');
    expect(lines.join('\n')).not.toContain(MARKER);
  });

  it('logs a failing ORM statement without the SQL values knex puts in its message', async () => {
    const before = lines.length;
    const result = await gql(server.url, 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { apiKey } }', { input: { name: `agent-${MARKER}` } }, server.adminToken);
    expect(errorCode(result)).toBe('INTERNAL_SERVER_ERROR');
    const logged = lines.slice(before).map((line) => JSON.parse(line)).filter((entry) => entry.err?.code === '23514');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0].err.message).toContain('agent_no_marker');
    expect(lines.join('\n')).not.toContain(MARKER);
  });

  it('never logs a payload with a NUL character in it', async () => {
    const result = await gql(server.url, SUBMIT, { input: { ...INPUTS.auto, payload: { note: `\u0000${MARKER}` } } }, agent.apiKey);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(MARKER);
    expect(lines.join('\n')).not.toContain(MARKER);
    // The server still answers.
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
  });
});
