import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from '../gateway.js';

export interface HttpServeOptions {
  port: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** @default 100 */
  maxSessions?: number;
  log?: (message: string) => void;
}

export interface HttpGateway {
  url: string;
  close(): Promise<void>;
}

/** The largest JSON-RPC message the gateway reads from a client. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Serves the gateway over Streamable HTTP at `/mcp`, one MCP session per client. Bound to
 * loopback by default; a Host header naming anything else is refused (DNS rebinding), and
 * with a token set, so is any request without it.
 */
export async function serveHttp(gateway: Gateway, options: HttpServeOptions): Promise<HttpGateway> {
  const { port, host = '127.0.0.1', token, maxSessions = 100, log = () => {} } = options;
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  let boundPort = port;

  const deny = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== '/mcp') return deny(res, 404, 'Not found: the MCP endpoint is /mcp');
    if (loopback && !isLoopbackHost(req.headers.host, boundPort)) return deny(res, 403, 'Forbidden: unexpected Host header');
    if (token && !bearerMatches(req.headers.authorization, token)) return deny(res, 401, 'Unauthorized: a bearer token is required', { 'www-authenticate': 'Bearer' });

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) return deny(res, 404, 'Unknown or expired MCP session');
      return transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return deny(res, 400, 'Bad request: no MCP session id');
    if (sessions.size >= maxSessions) return deny(res, 503, 'Too many MCP sessions; close one first', { 'retry-after': '5' });

    const body = await readJson(req);
    if (body === undefined) return deny(res, 400, `Bad request: the body must be JSON of at most ${MAX_BODY_BYTES} bytes`);
    if (!isInitializeRequest(body)) return deny(res, 400, 'Bad request: a session starts with an initialize request');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await gateway.createServer().connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`countersign-mcp: HTTP request failed: ${(error as Error).message}`);
      if (!res.headersSent) deny(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  boundPort = (http.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${boundPort}/mcp`,
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
