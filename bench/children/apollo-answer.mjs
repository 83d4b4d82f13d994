// Not a DESIGN baseline: the bare Apollo server of apollo-noop.mjs serving Countersign's own
// schema (packages/server/schema.graphql), whose submitAction answers a constant: the
// answer a real submission gave (ANSWER, JSON). Loaded with the SDK's SubmitAction
// document, it measures what parsing, validating and executing that document and writing
// its ~45-field answer cost by themselves — no authentication, judging, signing, audit or
// database. ANSWER_EXECUTOR=jit executes it with a compiled executor instead of
// graphql-js's interpreter (graphql-jit, through the executor hook of Apollo's gateway
// interface, one compiled query per document): what the best executor design found would
// save.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { serveBareApollo } from '../lib/bare-apollo.mjs';

const sdlPath = fileURLToPath(new URL('../../packages/server/schema.graphql', import.meta.url));
const sdl = fs.readFileSync(sdlPath, 'utf8');
const answer = JSON.parse(process.env.ANSWER);
const schema = buildSchema(sdl);
schema.getMutationType().getFields().submitAction.resolve = () => answer;

function compiledExecutor() {
  const compiled = new Map();
  return async ({ request, document, operationName, contextValue }) => {
    let query = compiled.get(request.query);
    if (!query) {
      query = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(query)) return query; // the errors of a document that does not compile
      compiled.set(request.query, query);
    }
    return query.query(undefined, contextValue, request.variables ?? {});
  };
}

const options = process.env.ANSWER_EXECUTOR === 'jit'
  ? {
      gateway: {
        load: async () => ({ schema, executor: compiledExecutor() }),
        onSchemaLoadOrUpdate: (callback) => {
          callback({ apiSchema: schema, coreSupergraphSdl: sdl });
          return () => undefined;
        },
        stop: async () => undefined,
      },
    }
  : { schema };
await serveBareApollo({ options });
