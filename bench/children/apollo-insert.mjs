// Floors for the AUTO path, not DESIGN baselines: the bare Apollo server of apollo-noop.mjs
// whose mutation persists its input through a raw `pg` pool of 10 (the server's pool size).
// FLOOR_MODE=single (the default): one INSERT and COMMIT per request — the least any request
// persisted on its own costs on this box. FLOOR_MODE=batched: the requests that arrive
// together are written by one multi-row INSERT (up to 3 in flight), as Countersign's group
// commit writes submissions — the least a persisted request costs when writes are shared.
import pg from 'pg';
import { serveBareApollo } from '../lib/bare-apollo.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query('create table if not exists bench_request (id uuid primary key default gen_random_uuid(), input jsonb not null, created_at timestamptz not null default now())');

const single = async (input) => (await pool.query('insert into bench_request (input) values ($1) returning id', [JSON.stringify(input)])).rows[0].id;

const IN_FLIGHT = 3;
let waiting = [];
let inFlight = 0;
let scheduled = false;
function schedule() {
  if (!scheduled && waiting.length > 0 && inFlight < IN_FLIGHT) {
    scheduled = true;
    setImmediate(flush);
  }
}
function flush() {
  scheduled = false;
  const batch = waiting;
  waiting = [];
  inFlight += 1;
  pool
    .query('insert into bench_request (input) select * from unnest($1::jsonb[]) returning id', [batch.map((b) => JSON.stringify(b.input))])
    .then(
      (result) => batch.forEach((b, i) => b.resolve(result.rows[i].id)),
      (error) => batch.forEach((b) => b.reject(error)),
    )
    .finally(() => {
      inFlight -= 1;
      schedule();
    });
}
const batched = (input) =>
  new Promise((resolve, reject) => {
    waiting.push({ input, resolve, reject });
    schedule();
  });

await serveBareApollo({
  mutation: 'insert(input: JSON): ID!',
  resolve: (_, { input }) => (process.env.FLOOR_MODE === 'batched' ? batched(input) : single(input)),
  onStop: () => pool.end(),
});
