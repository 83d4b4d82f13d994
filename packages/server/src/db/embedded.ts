import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A PostgreSQL (PGlite, in-process) reachable through the ordinary wire protocol. */
export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs PGlite in this process with its data under `dataDir`, served on a loopback port so
 * the stock PostgreSQL driver (and so the same SQL and migrations) works unchanged.
 * PGlite is one backend session: the socket server admits one connection and the pool
 * must keep to one (STACK-NOTES.md).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pgdata');
  await fs.mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:port"
  return {
    url: `postgresql://postgres:postgres@${conn}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
