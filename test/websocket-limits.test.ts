import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, createAgent, createApprover } from './support/server.js';
import { RawSocket } from './support/raw-socket.js';
import { INPUTS, apply, governanceYaml, submit } from './support/fixtures.js';
import { waitFor } from './support/wait.js';

const ACTION_UPDATED = 'subscription($id: ID!) { actionUpdated(id: $id) { id status } }';

describe('WebSocket limits', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  const sockets: RawSocket[] = [];
  const connect = async (token: string) => {
    const socket = await RawSocket.connect(stack.url, token);
    sockets.push(socket);
    return socket;
  };
  const healthz = async () => (await fetch(stack.url.replace('/graphql', '/healthz'))).status;

  beforeAll(async () => {
    stack = await startStack({ COUNTERSIGN_WS_MAX_CONNECTIONS_PER_PRINCIPAL: '3' });
    await apply(stack, governanceYaml());
    // Someone to route to, so that requests stay pending.
    await createApprover(stack, 'fiona', ['finance']);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.dispose();
  });

  it('refuses the 101st subscription on one socket when a client sends 3,000, and keeps serving', async () => {
    const agent = await createAgent(stack, 'greedy-bot');
    const pending = await submit(stack, agent.apiKey, { ...INPUTS.sync, idempotencyKey: 'flood' });
    const socket = await connect(agent.apiKey);
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) ids.push(socket.start(ACTION_UPDATED, { id: pending.id }));
    // Every operation is answered: a first value (running) or an error (refused).
    await waitFor(() => ids.every((id) => socket.values.has(id) || socket.completed.has(id)), { what: 'an answer to every subscription', timeoutMs: 60_000 });
    const running = ids.filter((id) => socket.values.has(id) && !socket.completed.has(id));
    const refused = ids.filter((id) => !socket.values.has(id));
    expect(running).toHaveLength(100);
    expect(refused).toHaveLength(2900);
    expect(socket.errorsOf(refused[0]!)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/already runs 100 operations/), extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 100 }) }),
    ]);
    expect(socket.closeCode).toBeNull();
    expect(await healthz()).toBe(200);

    // Completing one frees its place.
    socket.stop(running[0]!);
    const again = await waitFor(async () => {
      const outcome = await socket.request(ACTION_UPDATED, { id: pending.id });
      return outcome.kind === 'next' ? outcome : undefined;
    }, { what: 'a subscription after one completed' });
    expect(again.payload.data).toEqual({ actionUpdated: { id: pending.id, status: 'PENDING' } });
  });

  it('closes a principal\'s connection beyond the cap with 4429, leaving others alone', async () => {
    const agent = await createAgent(stack, 'many-sockets-bot');
    const other = await createAgent(stack, 'other-bot');
    const open = [await connect(agent.apiKey), await connect(agent.apiKey), await connect(agent.apiKey)];
    const fourth = await RawSocket.open(stack.url, agent.apiKey);
    expect(fourth).toMatchObject({ ack: false, code: 4429 });
    // Another principal is not counted against it.
    await connect(other.apiKey);
    for (const socket of open) expect(socket.closeCode).toBeNull();
    // A closed connection frees its place.
    open[0]!.close();
    await waitFor(async () => {
      const opened = await RawSocket.open(stack.url, agent.apiKey);
      if (opened.ack) sockets.push(opened.socket);
      return opened.ack;
    }, { what: 'a place to free' });
    expect(await healthz()).toBe(200);
  });
});
