import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL the bench runs on (the same one the tests use). */
export const PG_ADMIN_URL = process.env.COUNTERSIGN_BENCH_PG ?? process.env.COUNTERSIGN_TEST_PG ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const live = new Set();

/**
 * A fresh, empty database for one scenario, dropped afterwards. `query` runs SQL on it
 * directly (seeding, checks); `listen` opens a dedicated connection for LISTEN.
 */
export async function createDatabase(label) {
  const name = `cs_bench_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // An idle connection cut by `drop database … with (force)` must not crash the run.
  pool.on('error', () => undefined);
  const db = {
    name,
    url: url.toString(),
    pool,
    /** @returns {Promise<any[]>} */
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async client() {
      const client = new pg.Client({ connectionString: url.toString() });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async drop() {
      live.delete(db);
      await pool.end().catch(() => undefined);
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
  live.add(db);
  return db;
}

/** Drops every database this run created and has not dropped yet (on errors, Ctrl-C). */
export async function dropAll() {
  for (const db of [...live]) await db.drop().catch(() => undefined);
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
