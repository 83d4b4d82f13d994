import { wsClient, pool } from './graphql.mjs';

/**
 * Opens one graphql-ws connection per entry of `subs` ({token, variables}) to `url` and
 * subscribes each to `query`; `onValue(index, data, receivedAt)` sees every result.
 * Resolves once every connection is acknowledged (the server ran `onConnect`). Errors are
 * counted, not thrown, so one bad socket does not hide the others' numbers.
 */
export async function openSubscribers(url, subs, query, onValue, { concurrency = 50, timeoutMs = 120_000 } = {}) {
  const clients = [];
  const disposers = [];
  const errors = [];
  const deadline = Date.now() + timeoutMs;
  await pool(subs.length, concurrency, async (i) => {
    if (Date.now() > deadline) throw new Error(`opening ${subs.length} subscriptions took longer than ${timeoutMs} ms`);
    const { token, variables } = subs[i];
    let connected;
    const ready = new Promise((resolve, reject) => {
      connected = { resolve, reject };
    });
    const client = wsClient(url, token, {
      lazy: false,
      on: { connected: () => connected.resolve(), closed: (event) => connected.reject(new Error(`socket ${i} closed: ${event?.code ?? ''} ${event?.reason ?? ''}`)) },
    });
    clients.push(client);
    disposers.push(
      client.subscribe(
        { query, variables },
        {
          next: (result) => {
            const receivedAt = performance.timeOrigin + performance.now();
            if (result.errors) errors.push(result.errors);
            if (result.data) onValue(i, result.data, receivedAt);
          },
          error: (error) => errors.push(error instanceof Error ? error.message : JSON.stringify(error?.code ?? error)),
          complete: () => undefined,
        },
      ),
    );
    await ready;
  });
  return {
    errors,
    async close() {
      for (const dispose of disposers) dispose();
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}
