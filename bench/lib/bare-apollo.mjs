// The bare Apollo Server the AUTO-path baselines run (bench/children/apollo-*.mjs): a
// schema with a JSON scalar and one mutation (or a schema given whole), served on Node's
// http server through the very handler Countersign uses (packages/server/src/graphql/http.ts),
// in a child process that reports `{ready, url}` and stops on `{stop}`.
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { GraphQLScalarType } from 'graphql';
import { graphqlHttpHandler } from '../../packages/server/dist/graphql/http.js';

/**
 * `mutation` is the Mutation type's one field, e.g. `noop(input: JSON): Boolean!`, and
 * `resolve` answers it; or `options` are the ApolloServer's own (a whole schema, say).
 */
export async function serveBareApollo({ mutation, resolve, options, onStop = async () => undefined }) {
  if (!options) {
    const name = mutation.slice(0, mutation.indexOf('('));
    const typeDefs = `#graphql
      scalar JSON
      type Query { ok: Boolean! }
      type Mutation { ${mutation} }
    `;
    const resolvers = {
      JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v, parseValue: (v) => v }),
      Query: { ok: () => true },
      Mutation: { [name]: resolve },
    };
    options = { typeDefs, resolvers };
  }
  const apollo = new ApolloServer({ ...options, introspection: false });
  await apollo.start();
  const handle = graphqlHttpHandler(apollo, async () => ({}), null);
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
    if (message?.stop) server.close(() => apollo.stop().then(onStop).then(() => process.exit(0)));
  });
  process.on('disconnect', () => process.exit(0));
}
