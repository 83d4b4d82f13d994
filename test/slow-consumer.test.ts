import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack, createApprover } from './support/server.js';
import { collect, gqlOk, wsClient } from './support/graphql.js';

const EVENTS = 10_000;

/** A graphql-ws client that subscribes and then never reads another byte. */
async function stalledSubscriber(url: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { approvalQueueUpdated { actionId action { summary payload } } }' } }));
  // Stop reading: the kernel buffers fill, then the server's send buffer for this client grows.
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return socket;
}

describe('a subscriber that stops reading', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.dispose());

  it('neither takes the server down nor costs anyone else an event while 10,000 events are published', async () => {
    const approver = await createApprover(stack, 'busy', ['finance']);
    const stalled = await stalledSubscriber(stack.url, approver.token);

    const client = wsClient(stack.url, approver.token);
    // Asks `inQueue`, as the CLI's watch does: each event then waits on a read, and a burst keeps thousands of them under way at once.
    const updates = collect<{ approvalQueueUpdated: { actionId: string; inQueue: boolean } }>(client, 'subscription { approvalQueueUpdated { actionId inQueue } }');
    // Make sure the healthy subscriber is registered before publishing (probe events until one arrives).
    const probe = '00000000-0000-4000-8000-000000000000';
    const publish = (count: number, start: number) =>
      stack.database.query(
        `select pg_notify('countersign_events', json_build_object('actionId', $1::text, 'agentId', $1::text, 'queueChanged', json_build_array($2::text), 'n', i)::text)
         from generate_series($3::int, $4::int) as i`,
        [probe, approver.id, start, start + count - 1],
      );
    let n = 0;
    while (updates.values.length === 0) {
      await publish(1, ++n);
      await updates.until(() => true, 1000).catch(() => undefined);
    }
    const before = updates.values.length;
    await publish(EVENTS, 1_000_000);
    await updates.until(() => updates.values.length >= before + EVENTS, 60_000);
    expect(updates.values.length - before).toBe(EVENTS);
    expect(updates.errors).toEqual([]);

    // The server still answers, and the stalled client was not allowed to hold it up.
    const me = await gqlOk(stack.url, '{ me { kind } }', {}, approver.token);
    expect(me.me.kind).toBe('APPROVER');
    expect((await fetch(new URL('/healthz', stack.url))).status).toBe(200);
    stalled.terminate();
    await client.dispose();
  });

  it('answers an invalid or unparsable subscription document with its error', async () => {
    const approver = await createApprover(stack, 'curious', ['finance']);
    const client = wsClient(stack.url, approver.token);
    try {
      const bad = collect(client, 'subscription { approvalQueueUpdated { nope } }');
      await bad.completed;
      expect(JSON.stringify(bad.errors)).toMatch(/Cannot query field .*nope/);
      const broken = collect(client, 'subscription { approvalQueueUpdated { actionId ');
      await broken.completed;
      expect(JSON.stringify(broken.errors)).toMatch(/Syntax Error/);
    } finally {
      await client.dispose();
    }
  });
});
