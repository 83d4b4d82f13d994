import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Context } from './context.js';
import type { OperationRequest, QueryLimits } from './limits.js';
import { bearerToken } from '../auth/tokens.js';
import { hasSessionCookie } from '../auth/sessions.js';
import { ErrorCode } from '../errors.js';

const jsonBody = bodyParser.json({ limit: '2mb' });

/**
 * The operation a request carries (POST body or GET parameters), or null when it carries
 * none Apollo could run (then Apollo's own answer explains what is missing).
 */
function operationOf(method: string, body: unknown, search: URLSearchParams): OperationRequest | null {
  if (method === 'GET') {
    const query = search.get('query');
    if (query === null) return null;
    let variables: unknown = null;
    try {
      variables = JSON.parse(search.get('variables') ?? 'null');
    } catch {
      return null;
    }
    return { query, variables: variables as OperationRequest['variables'], operationName: search.get('operationName') };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { query, variables, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  return { query, variables: variables as OperationRequest['variables'], operationName: typeof operationName === 'string' ? operationName : null };
}

/**
 * The limits every request meets before Apollo runs (and so before the context function
 * authenticates anyone): the input's NULs and nesting, then the document's (graphql/limits.ts).
 */
function refusal(req: IncomingMessage & { body?: unknown }, url: URL, limits: QueryLimits): readonly GraphQLError[] | null {
  const method = (req.method ?? 'GET').toUpperCase();
  const input = limits.checkInput(method === 'GET' ? [...url.searchParams.entries()] : (req.body ?? null));
  if (input) return [input];
  const request = operationOf(method, req.body, url.searchParams);
  if (!request) return null;
  const checked = limits.check(request, { anonymous: bearerToken(req.headers.authorization) === null && !hasSessionCookie(req) });
  return 'kind' in checked ? null : checked;
}

/**
 * Serves one GraphQL HTTP request through Apollo Server on Node's own http server — the
 * same steps as Apollo's standalone integration (JSON body, HeaderMap, streamed body),
 * without a framework in between.
 */
export function graphqlHttpHandler(
  apollo: ApolloServer<Context>,
  context: (req: IncomingMessage) => Promise<Context>,
  /** Null: no checks (the benchmark's bare baseline serves through this handler too). */
  limits: QueryLimits | null,
  /** A refusal decided from the headers alone (a caller over its rate), before the body is read. */
  early?: (req: IncomingMessage) => Promise<{ retryAfterSeconds: number } | null>,
) {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse, onError: (error: unknown) => void): void => {
    if (!early) return serve(req, res, onError);
    early(req).then((refused) => {
      if (!refused) return serve(req, res, onError);
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(refused.retryAfterSeconds) });
      res.end(JSON.stringify({ errors: [{ message: `Too many requests: try again in ${refused.retryAfterSeconds} s.`, extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: refused.retryAfterSeconds } }] }));
    }, onError);
  };

  function serve(req: IncomingMessage & { body?: unknown }, res: ServerResponse, onError: (error: unknown) => void): void {
    jsonBody(req, res, (parseError?: unknown) => {
      if (parseError) {
        const status = (parseError as { status?: number }).status ?? 400;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: `The request body is not valid JSON: ${(parseError as Error).message}`, extensions: { code: 'BAD_REQUEST' } }] }));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const refused = limits ? refusal(req, url, limits) : null;
      if (refused) {
        res.writeHead(refused[0]?.extensions.code === ErrorCode.UNAUTHENTICATED ? 401 : 400, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ errors: refused.map((error) => error.toJSON()) }));
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
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
  }
}
