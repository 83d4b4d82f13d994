import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { FormattedExecutionResult, GraphQLSchema } from 'graphql';
import type { Services } from '../services.js';
import { authenticateConnection, bearerCredentials, principalTopic, type CredentialSource } from '../auth/credentials.js';
import { AppError, ErrorCode } from '../errors.js';
import { OpenConnections, WsCloseCode, type OpenConnection } from './connections.js';
import { sessionCredential, sessionTopic } from '../auth/sessions.js';
import { requestFromOwnOrigin } from '../auth/origin.js';
import { createContext, type Context } from './context.js';
import { isSharedResult, sharedSubscribe } from './shared-execution.js';
import { messageJson } from './message-json.js';
import type { QueryLimits } from './limits.js';
import { rateLimitKey, rateLimitedError, type RateLimiter } from '../limits/rate-limit.js';
import { publicErrors, publicResult } from './public-errors.js';
import { unavailableError } from '../db/faults.js';

/** Unsent bytes a WebSocket client may accumulate before it is disconnected. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * graphql-ws on the same port and path as HTTP. Each connection is authenticated at
 * `connection_init` by the first {@link CredentialSource} that recognises a credential in
 * it, and holds that credential for its life (connections.ts). The credential is checked
 * again before every operation, and whenever the event bus announces that its principal
 * changed on any instance; a credential that is no longer valid closes its socket with
 * 4403, ending every subscription on it. Every operation gets its own EntityManager fork,
 * like an HTTP request.
 */
export function createWsServer(httpServer: HttpServer, schema: GraphQLSchema, services: Services, guards: { limits: QueryLimits; rateLimiter: RateLimiter }) {
  const limits = services.config.websockets;
  // Upgrades are handed over by hand rather than with `server:`, which would also forward the
  // HTTP server's errors (a port in use) to graphql-ws, and it prints them with a stack.
  // A browser's upgrade from another site's page is refused: it would carry the session cookie.
  const verifyClient = ({ req }: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
    if (requestFromOwnOrigin(req, services.config.publicUrl)) done(true);
    else done(false, 403, 'Forbidden: cross-origin WebSocket');
  };
  const wss = new WebSocketServer({ noServer: true, path: '/graphql', verifyClient });
  // (handleUpgrade answers 400 itself to an upgrade on another path, as `server:` did.)
  httpServer.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request)));
  // Where a connection's credential comes from, tried in order.
  // The bearer token first; without one, the web app's session cookie on the upgrade request.
  const sources: CredentialSource[] = [
    bearerCredentials(services.sql, services.hasher, services.config.bootstrapToken),
    async ({ request }) => {
      const session = await sessionCredential(services, request);
      if (!session) return undefined;
      // Its session ending, or its person's standing changing, rechecks it.
      return { ...session, topics: [...session.topics, principalTopic(session.principal.kind, session.principal.id!)] };
    },
  ];
  const connections = new OpenConnections(services.logger);
  // A result shared by many subscribers is serialised once (message-json.ts): graphql-ws's
  // replacer sets its JSON aside and each socket's send puts it back. Registered before
  // useServer's own listener, so the socket is wrapped before graphql-ws sends on it.
  const json = messageJson(isSharedResult);
  const contextFor = (connection: OpenConnection, id: string): Context => {
    const context = createContext(services, connection.principal);
    const { socket } = connection;
    // Results pushed past graphql-ws (shared-execution.ts): the message it would send.
    context.sendNext = (result) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(json.next(id, result));
    };
    return context;
  };
  wss.on('connection', (socket) => {
    const send = socket.send;
    socket.send = function (this: typeof socket, data: unknown, ...rest: unknown[]) {
      return (send as (...args: unknown[]) => void).call(this, typeof data === 'string' ? json.restore(data) : data, ...rest);
    } as typeof socket.send;
  });
  const cleanup = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      schema,
      jsonMessageReplacer: json.replacer,
      // One execution per event for all the subscribers it reaches alike (shared-execution.ts);
      // that one result object is what each of them is sent, so that its JSON is made once.
      subscribe: sharedSubscribe((principal) => createContext(services, principal)),
      onNext: (_ctx, _id, _payload, _args, result) => (isSharedResult(result) ? (result as FormattedExecutionResult) : (publicResult(result, services.logger) as FormattedExecutionResult | undefined)),
      onError: (_ctx, _id, _payload, errors) => publicErrors(errors, services.logger),
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        let credential;
        try {
          credential = await authenticateConnection(sources, { params: ctx.connectionParams, request });
        } catch (error) {
          if (error instanceof AppError) {
            // A refused credential counts against the caller's address, as over HTTP: no free guessing by reconnecting.
            const decision = await guards.rateLimiter.consume(rateLimitKey(null, request.socket.remoteAddress));
            if (!decision.ok) socket.close(WsCloseCode.TOO_MANY_CONNECTIONS, `Too many failed sign-ins: try again in ${decision.retryAfterSeconds} s`);
            return false;
          }
          // graphql-ws closes with 4500 and this message, which the SDK reads as UNAVAILABLE.
          throw unavailableError(error) ?? error;
        }
        if (!credential || socket.readyState !== WebSocket.OPEN) return false;
        if (connections.countOf(credential.principal) >= limits.maxConnectionsPerPrincipal) {
          // The first close code sent is the one the client sees; graphql-ws's own 4403 after it is ignored.
          socket.close(WsCloseCode.TOO_MANY_CONNECTIONS, `Too many connections: at most ${limits.maxConnectionsPerPrincipal} per principal`);
          return false;
        }
        connections.add(socket, credential);
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        const connection = connections.of(ctx.extra.socket);
        // Acknowledged connections are registered; one that is closing may have just left.
        if (!connection) return [AppError.unauthenticated('This connection is closing.')];
        // graphql-ws lists this operation among the connection's before calling us.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptions) {
          return [
            new AppError(ErrorCode.RATE_LIMITED, `This connection already runs ${limits.maxSubscriptions} operations, the most one connection may; complete one first or open another connection.`, {
              limit: limits.maxSubscriptions,
            }),
          ];
        }
        // The same limits as over HTTP (graphql/limits.ts); documents are kept parsed, one object per text.
        const document = guards.limits.check(payload, { anonymous: false });
        if (!('kind' in document)) return document;
        switch (await connections.recheck(connection)) {
          case 'invalid':
            return [AppError.unauthenticated('The credential of this connection is no longer valid (rotated, revoked, suspended or deactivated); the connection is closing.')];
          case 'unknown':
            // Not run on a credential that could not be checked; the connection stays for the next try.
            return [AppError.unavailable('The server cannot check this connection\'s credential right now; try again shortly.')];
          case 'valid':
            break;
        }
        const rate = await guards.rateLimiter.consume(rateLimitKey(connection.principal, ctx.extra.request.socket.remoteAddress));
        if (!rate.ok) return [rateLimitedError(rate.retryAfterSeconds)];
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: contextFor(connection, id),
        };
      },
    },
    wss,
  );
  // A change announced on any instance (a key rotated, an approver deactivated…) is checked
  // at once on the connections it concerns; after the bus was cut off, on all of them.
  const unsubscribe = [
    services.events.onPrincipalChanged((topic) => connections.recheckTopic(topic)),
    services.events.onSessionEnded((sessionId) => connections.recheckTopic(sessionTopic(sessionId))),
    services.events.onResync(() => connections.sweep()),
  ];
  const sweeper = setInterval(() => connections.sweep(), limits.recheckMs);
  sweeper.unref();

  // A client that stops reading leaves its messages queued in this process; past the
  // limit it is cut off, so it cannot exhaust memory or slow the fan-out to everyone else.
  const watchdog = setInterval(() => {
    for (const socket of wss.clients) {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        services.logger.warn({ bufferedAmount: socket.bufferedAmount }, 'terminating a WebSocket client that stopped reading');
        socket.terminate();
      }
    }
  }, 1000);
  watchdog.unref();

  return {
    wss,
    async dispose() {
      clearInterval(watchdog);
      clearInterval(sweeper);
      for (const stop of unsubscribe) stop();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
