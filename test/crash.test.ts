import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { SERVER_MAIN, freePort, run, type Spawned } from './support/process.js';
import { collect, gqlOk, wsClient } from './support/graphql.js';
import { waitFor } from './support/wait.js';
import { ACTION_FIELDS, DECIDE, GET_ACTION, INPUTS, governanceYaml } from './support/fixtures.js';
import type { TestServer } from './support/server.js';

/** Starts the built server as its own process on the given database, and waits until it is ready. */
async function startProcess(database: TestDatabase, adminToken: string): Promise<{ server: TestServer; process: Spawned }> {
  const port = await freePort();
  const spawned = run(process.execPath, [SERVER_MAIN], {
    DATABASE_URL: database.url, PORT: String(port), COUNTERSIGN_BOOTSTRAP_TOKEN: adminToken, LOG_LEVEL: 'warn', COUNTERSIGN_TIMER_POLL_MS: '50',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: `the server process (${spawned.output()})` });
  return { process: spawned, server: { url: `${base}/graphql`, adminToken, app: undefined as never, dispose: async () => spawned.kill('SIGTERM') } };
}

describe('crash recovery', () => {
  let database: TestDatabase;
  const processes: Spawned[] = [];
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await database?.drop();
  });

  it('fires a deadline that passed while the server was killed, and delivers a later decision to an agent that subscribes again', async () => {
    database = await createTestDatabase();
    const adminToken = `crash-${randomBytes(16).toString('hex')}`;
    const first = await startProcess(database, adminToken);
    processes.push(first.process);
    const s1 = first.server;

    const mk = async (query: string, variables: Record<string, unknown>, token = adminToken) => gqlOk(s1.url, query, variables, token);
    const fiona = (await mk('mutation { createApprover(input: {name: "fiona", roles: ["finance"]}) { approver { id } token } }', {})).createApprover;
    await mk('mutation { createApprover(input: {name: "lars", roles: ["finance-lead"]}) { approver { id } } }', {});
    const agent = (await mk('mutation { createAgent(input: {name: "ap-agent"}) { agent { id } apiKey } }', {})).createAgent;
    await mk('mutation($d: String!) { applyGovernance(document: $d) { version } }', { d: governanceYaml({ financeTimeout: '2s' }) });
    const submitQ = `mutation($input: ActionInput!) { submitAction(input: $input) { ${ACTION_FIELDS} } }`;
    const overdue = (await mk(submitQ, { input: INPUTS.sync }, agent.apiKey)).submitAction;
    await mk('mutation($d: String!) { applyGovernance(document: $d) { version } }', { d: governanceYaml() });
    const waiting = (await mk(submitQ, { input: { ...INPUTS.sync, summary: 'The one decided after the crash' } }, agent.apiKey)).submitAction;
    expect(overdue.escalationLevel).toBe(1);

    // kill -9 while both are pending, and let the first one's deadline pass while nothing runs.
    first.process.kill('SIGKILL');
    await first.process.exited;
    await waitFor(() => Date.now() > new Date(overdue.deadline).getTime() + 500, { what: 'the deadline to pass' });

    const second = await startProcess(database, adminToken);
    processes.push(second.process);
    const s2 = second.server;
    const escalated = await waitFor(async () => {
      const action = (await gqlOk(s2.url, GET_ACTION, { id: overdue.id }, adminToken)).action;
      return action.escalationLevel === 2 ? action : undefined;
    }, { what: 'the overdue timer to fire after the restart' });
    expect(escalated.auditTrail.filter((e: { kind: string }) => e.kind === 'ESCALATED')).toHaveLength(1);

    const client = wsClient(s2.url, agent.apiKey);
    try {
      const updates = collect<{ actionUpdated: { status: string } }>(client, `subscription($id: ID!) { actionUpdated(id: $id) { ${ACTION_FIELDS} } }`, { id: waiting.id });
      await updates.until((v) => v.actionUpdated.status === 'PENDING');
      await gqlOk(s2.url, DECIDE, { input: { actionId: waiting.id, verdict: 'APPROVE' } }, fiona.token);
      await updates.until((v) => v.actionUpdated.status === 'APPROVED');
      await updates.completed;
    } finally {
      await client.dispose();
    }
    const verified = (await gqlOk(s2.url, '{ verifyAuditChain { valid } }', {}, adminToken)).verifyAuditChain;
    expect(verified.valid).toBe(true);
  });
});
