// A floor for the AUTO path, not a DESIGN baseline: the bare Apollo server of
// apollo-noop.mjs whose mutation inserts one row through a raw `pg` pool of 10 (the
// server's pool size) and commits — the least any persisted request can cost on this box.
import pg from 'pg';
import { serveBareApollo } from '../lib/bare-apollo.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query('create table if not exists bench_request (id uuid primary key default gen_random_uuid(), input jsonb not null, created_at timestamptz not null default now())');
await serveBareApollo({
  mutation: 'insert(input: JSON): ID!',
  resolve: async (_, { input }) => (await pool.query('insert into bench_request (input) values ($1) returning id', [JSON.stringify(input)])).rows[0].id,
  onStop: () => pool.end(),
});
