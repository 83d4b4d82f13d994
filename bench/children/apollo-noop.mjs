// The AUTO-path baseline (DESIGN §9): a bare Apollo Server with one no-op mutation, served
// on Node's http server through the very handler Countersign uses
// (packages/server/src/graphql/http.ts: body-parser JSON, HeaderMap, executeHTTPGraphQLRequest),
// so that the ratio measures what Countersign adds, not a different HTTP stack.
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { GraphQLScalarType } from 'graphql';
import { graphqlHttpHandler } from '../../packages/server/dist/graphql/http.js';

const typeDefs = `#graphql
  scalar JSON
  type Query { ok: Boolean! }
  type Mutation { noop(input: JSON): Boolean! }
`;
const resolvers = {
  JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v, parseValue: (v) => v }),
  Query: { ok: () => true },
  Mutation: { noop: () => true },
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
  if (message?.stop) server.close(() => apollo.stop().then(() => process.exit(0)));
});
process.on('disconnect', () => process.exit(0));
