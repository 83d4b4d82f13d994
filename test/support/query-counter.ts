import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '@countersign/server';

const HEADER = 'x-test-count-queries';

export interface CountedResult<T> {
  data: T;
  /** Every SQL statement the server ran to answer, in order. */
  queries: string[];
}

export interface QueryCounter {
  /**
   * Runs one GraphQL query over HTTP GET and returns its data with the SQL statements
   * that answered it (and only those: timers and workers running meanwhile are not counted).
   */
  query<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<CountedResult<T>>;
  dispose(): void;
}

/**
 * Counts the SQL statements an in-process server runs for one request.
 *
 * How: knex (under MikroORM) emits a `query` event for every statement it sends, in the
 * async context of the code that sent it; statements sent to `pg` directly on a connection
 * of the same pool (packages/server/src/db/sql.ts) are seen at that connection's `query`. The server's request listeners are wrapped so
 * that a request carrying a marker header runs inside an AsyncLocalStorage context;
 * statements emitted in that context belong to that request. Background work (escalation
 * timers, the notification outbox) runs in contexts of its own and is not counted, so
 * the count is exact however busy the server is. GET is used so that the request needs
 * no body: body parsing resumes from socket events, outside the request's context.
 */
export function countQueries(app: App): QueryCounter {
  const storage = new AsyncLocalStorage<string[]>();
  const pending = new Map<string, string[]>();
  const knex = app.services.orm.em.getKnex();
  const onQuery = (event: { sql: string }) => storage.getStore()?.push(event.sql);
  knex.on('query', onQuery);
  // Statements sent to pg directly: `query(text, values)` on a pooled connection. knex's own
  // calls pass a callback and are counted by the event above.
  type PgConnection = { query: (...args: unknown[]) => unknown };
  const pool = knex.client as unknown as { acquireConnection: () => Promise<PgConnection> };
  const acquire = pool.acquireConnection;
  const patched = new Map<PgConnection, PgConnection['query']>();
  pool.acquireConnection = async function (this: unknown) {
    const connection = await acquire.call(this);
    if (!patched.has(connection)) {
      const original = connection.query;
      patched.set(connection, original);
      connection.query = function (this: unknown, ...args: unknown[]) {
        if (typeof args[0] === 'string' && typeof args.at(-1) !== 'function') storage.getStore()?.push(args[0]);
        return original.apply(this, args);
      };
    }
    return connection;
  };

  const server = app.httpServer;
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  const counted = (req: IncomingMessage, res: ServerResponse) => {
    const id = req.headers[HEADER];
    const store = typeof id === 'string' ? pending.get(id) : undefined;
    if (store) storage.run(store, () => dispatch(req, res));
    else dispatch(req, res);
  };
  server.removeAllListeners('request');
  server.on('request', counted);

  let next = 0;
  return {
    async query(url, query, variables, token) {
      const id = String(++next);
      const queries: string[] = [];
      pending.set(id, queries);
      try {
        const target = new URL(url);
        target.searchParams.set('query', query);
        target.searchParams.set('variables', JSON.stringify(variables));
        const response = await fetch(target, {
          headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true', [HEADER]: id },
        });
        const body = (await response.json()) as { data?: any; errors?: unknown[] };
        if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors, null, 2)}`);
        return { data: body.data, queries: [...queries] };
      } finally {
        pending.delete(id);
      }
    },
    dispose() {
      knex.off('query', onQuery);
      pool.acquireConnection = acquire;
      for (const [connection, original] of patched) connection.query = original;
      server.removeListener('request', counted);
      for (const listener of listeners) server.on('request', listener);
    },
  };
}
