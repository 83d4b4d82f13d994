// A floor for the AUTO path, not a DESIGN baseline: the bare Apollo server of
// apollo-noop.mjs whose mutation inserts one row through a raw `pg` pool of 10 (the
// server's pool size) and commits — the least any persisted request can cost on this box.
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { GraphQLScalarType } from 'graphql';
import pg from 'pg';
import { graphqlHttpHandler } from '../../packages/server/dist/graphql/http.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query('create table if not exists bench_request (id uuid primary key default gen_random_uuid(), input jsonb not null, created_at timestamptz not null default now())');
const typeDefs = `#graphql
  scalar JSON
  type Query { ok: Boolean! }
  type Mutation { insert(input: JSON): ID! }
`;
const resolvers = {
  JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v, parseValue: (v) => v }),
  Query: { ok: () => true },
  Mutation: {
    insert: async (_, { input }) => (await pool.query('insert into bench_request (input) values ($1) returning id', [JSON.stringify(input)])).rows[0].id,
  },
};
const apollo = new ApolloServer({ typeDefs, resolvers, introspection: false });
await apollo.start();
const handle = graphqlHttpHandler(apollo, async () => ({}));
const server = http.createServer((req, res) => {
  handle(req, res, (error) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.send({ ready: true, url: `http://127.0.0.1:${port}/graphql`, pid: process.pid });
});
process.on('message', (message) => {
  if (message?.stop) server.close(() => apollo.stop().then(() => pool.end()).then(() => process.exit(0)));
});
process.on('disconnect', () => process.exit(0));
