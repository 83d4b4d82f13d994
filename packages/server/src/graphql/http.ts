import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Context } from './context.js';

const jsonBody = bodyParser.json({ limit: '2mb' });

/**
 * Serves one GraphQL HTTP request through Apollo Server on Node's own http server — the
 * same steps as Apollo's standalone integration (JSON body, HeaderMap, streamed body),
 * without a framework in between.
 */
export function graphqlHttpHandler(apollo: ApolloServer<Context>, context: (req: IncomingMessage) => Promise<Context>) {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse, onError: (error: unknown) => void): void => {
    jsonBody(req, res, (parseError?: unknown) => {
      if (parseError) {
        const status = (parseError as { status?: number }).status ?? 400;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: `The request body is not valid JSON: ${(parseError as Error).message}`, extensions: { code: 'BAD_REQUEST' } }] }));
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      apollo
        .executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: req.body },
          context: () => context(req),
        })
        .then(async (response) => {
          for (const [key, value] of response.headers) res.setHeader(key, value);
          res.statusCode = response.status ?? 200;
          if (response.body.kind === 'complete') {
            res.end(response.body.string);
            return;
          }
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        })
        .catch(onError);
    });
  };
}
