// The AUTO-path baseline (DESIGN §9): a bare Apollo Server with one no-op mutation, served
// on Node's http server through the very handler Countersign uses
// (packages/server/src/graphql/http.ts: body-parser JSON, HeaderMap, executeHTTPGraphQLRequest),
// so that the ratio measures what Countersign adds, not a different HTTP stack.
import { serveBareApollo } from '../lib/bare-apollo.mjs';

await serveBareApollo({ mutation: 'noop(input: JSON): Boolean!', resolve: () => true });
