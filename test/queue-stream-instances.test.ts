import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { startStack, createAgent, createApprover } from './support/server.js';
import { collect, wsClient } from './support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

type Update = { approvalQueueUpdated: { actionId: string; action: { id: string; summary: string } | null } };
const WATCH = 'subscription { approvalQueueUpdated { actionId action { id summary } } }';

/**
 * Several instances run in one process (tests, embedded use): each answers its approvers'
 * queue events from its own database. The reads a change shares between its subscribers
 * belong to one instance, never to the process.
 */
describe('queue events on two instances in one process', () => {
  let first: Awaited<ReturnType<typeof startStack>>;
  let second: Awaited<ReturnType<typeof startStack>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startStack(), startStack()]);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await first?.dispose();
    await second?.dispose();
  });

  it('never answers one instance’s subscriber with a request read from the other instance’s database', async () => {
    expect((await apply(first, governanceYaml())).applied).toBe(true);
    const agent = await createAgent(first, 'agent-on-first');
    const request = await submit(first, agent.apiKey, INPUTS.auto);
    const [onFirst, onSecond] = await Promise.all([createApprover(first, 'approver-on-first'), createApprover(second, 'approver-on-second')]);
    const firstClient = wsClient(first.url, onFirst.token);
    const secondClient = wsClient(second.url, onSecond.token);
    clients.push(firstClient, secondClient);
    const firstUpdates = collect<Update>(firstClient, WATCH);
    const secondUpdates = collect<Update>(secondClient, WATCH);

    // The same change (one id, as the parts of one split event carry) announced on both
    // databases: the second has no such request.
    const change = randomUUID();
    const announce = (stack: typeof first, approverId: string) =>
      stack.database.query("select pg_notify('countersign_events', $1)", [JSON.stringify({ actionId: request.id, agentId: agent.id, queueChanged: [approverId], change })]);

    await waitFor(async () => {
      await announce(first, onFirst.id);
      return firstUpdates.values.length > 0;
    }, { what: 'the first instance to tell its approver' });
    expect(firstUpdates.values[0].approvalQueueUpdated).toEqual({ actionId: request.id, action: { id: request.id, summary: INPUTS.auto.summary } });

    await waitFor(async () => {
      await announce(second, onSecond.id);
      return secondUpdates.values.length > 0;
    }, { what: 'the second instance to tell its approver' });
    expect(secondUpdates.values.map((v) => v.approvalQueueUpdated)).toEqual(secondUpdates.values.map(() => ({ actionId: request.id, action: null })));
    expect(secondUpdates.errors).toEqual([]);
  });
});
