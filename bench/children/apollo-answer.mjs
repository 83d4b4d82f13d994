// Not a DESIGN baseline: the bare Apollo server of apollo-noop.mjs serving Countersign's own
// schema (packages/server/schema.graphql, default resolvers), whose submitAction answers a
// constant: the answer a real submission gave (ANSWER, JSON). Loaded with the SDK's
// SubmitAction document, it measures what parsing, validating and executing that document
// and writing its 40-field answer cost by themselves — no authentication, judging,
// signing, audit or database.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveBareApollo } from '../lib/bare-apollo.mjs';

const sdl = fs.readFileSync(fileURLToPath(new URL('../../packages/server/schema.graphql', import.meta.url)), 'utf8');
const answer = JSON.parse(process.env.ANSWER);
await serveBareApollo({ typeDefs: sdl, resolvers: { Mutation: { submitAction: () => answer } } });
