#!/usr/bin/env node
// What the database alone allows for the AUTO path's transaction shape, on this machine:
// raw `pg`, 10 connections (the server's pool size), no GraphQL, no ORM. Each variant adds
// one thing the submit transaction does (audit-head row lock held across round trips,
// NOTIFY in the commit), and one variant does the audit append in a single statement.
//   node bench/tools/db-floor.mjs [--seconds=5] [--connections=10]
import { parseArgs } from 'node:util';
import { createDatabase } from '../lib/db.mjs';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '10' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const ROW = JSON.stringify({ type: 'reports.read', operation: 'READ', summary: 'Read the public price list', payload: { report: 'prices' } });
const EVENT = JSON.stringify({ type: 'reports.read', risk: { score: 0, level: 'LOW' }, mode: 'AUTO' });

const variants = {
  'insert; commit': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    await c.query('commit');
  },
  'insert; notify; commit': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    await c.query(`select pg_notify('bench', '{"actionId":"x"}')`);
    await c.query('commit');
  },
  'insert; lock head; insert event; update head; commit': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    const { rows: [head] } = await c.query('select seq, hash from head where id = 1 for update');
    await c.query('insert into event (seq, body, prev_hash) values ($1, $2, $3)', [Number(head.seq) + 1, EVENT, head.hash]);
    await c.query('update head set seq = $1, hash = md5($2) where id = 1', [Number(head.seq) + 1, head.hash]);
    await c.query('commit');
  },
  'same + notify (the AUTO submit shape today)': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    const { rows: [head] } = await c.query('select seq, hash from head where id = 1 for update');
    await c.query('insert into event (seq, body, prev_hash) values ($1, $2, $3)', [Number(head.seq) + 1, EVENT, head.hash]);
    await c.query('update head set seq = $1, hash = md5($2) where id = 1', [Number(head.seq) + 1, head.hash]);
    await c.query(`select pg_notify('bench', '{"actionId":"x"}')`);
    await c.query('commit');
  },
  'insert; append in one statement; commit': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    await c.query(
      `with old as (select seq, hash from head where id = 1 for update),
       h as (update head set seq = old.seq + 1, hash = encode(sha256(convert_to(old.hash || $1::text, 'UTF8')), 'hex') from old where head.id = 1 returning head.seq, old.hash as prev)
       insert into event (seq, body, prev_hash) select seq, $1::jsonb, prev from h`,
      [EVENT],
    );
    await c.query('commit');
  },
  'same + notify': async (c) => {
    await c.query('begin');
    await c.query('insert into request (id, body) values (gen_random_uuid(), $1)', [ROW]);
    await c.query(`select pg_notify('bench', '{"actionId":"x"}')`);
    await c.query(
      `with old as (select seq, hash from head where id = 1 for update),
       h as (update head set seq = old.seq + 1, hash = encode(sha256(convert_to(old.hash || $1::text, 'UTF8')), 'hex') from old where head.id = 1 returning head.seq, old.hash as prev)
       insert into event (seq, body, prev_hash) select seq, $1::jsonb, prev from h`,
      [EVENT],
    );
    await c.query('commit');
  },
};

const db = await createDatabase('floor');
try {
  await db.query('create table request (id uuid primary key, body jsonb not null)');
  await db.query('create table event (seq bigint primary key, body jsonb not null, prev_hash text not null)');
  await db.query('create table head (id int primary key, seq bigint not null, hash text not null)');
  await db.query(`insert into head values (1, 0, repeat('0', 64))`);
  const clients = [];
  for (let i = 0; i < connections; i++) clients.push(await db.client());
  console.log(`${connections} connections, ${seconds} s per variant (transactions/s):`);
  for (const [name, tx] of Object.entries(variants)) {
    let count = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(clients.map(async (c) => {
      while (Date.now() < end) {
        await tx(c);
        count++;
      }
    }));
    console.log(`${String(Math.round(count / seconds)).padStart(8)}  ${name}`);
  }
  for (const c of clients) await c.end();
} finally {
  await db.drop();
}
