import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { parse, validate, GraphQLError, type DocumentNode, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { Services } from '../services.js';
import type { Principal } from '../auth/principal.js';
import { authenticate } from '../auth/principal.js';
import { bearerToken } from '../auth/tokens.js';
import { sessionCredential } from '../auth/sessions.js';
import { requestFromOwnOrigin } from '../auth/origin.js';
import { AppError } from '../errors.js';
import { createContext, type Context } from './context.js';
import { isSharedResult, sharedSubscribe } from './shared-execution.js';
import { messageJson } from './message-json.js';

/** Unsent bytes a WebSocket client may accumulate before it is disconnected. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** How many distinct operation documents to keep parsed and validated. */
const MAX_CACHED_DOCUMENTS = 500;

/**
 * Parsed and validated operation documents, shared by every subscription that sends the
 * same text. Thousands of agents waiting with the SDK's one `actionUpdated` document would
 * otherwise each hold their own parse tree (tens of KB apiece) for as long as they wait.
 */
class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly schema: GraphQLSchema) {}

  get(query: string): DocumentNode | readonly GraphQLError[] {
    const cached = this.documents.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { noLocation: true });
    } catch (error) {
      return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    const errors = validate(this.schema, document);
    if (errors.length > 0) return errors;
    if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(query, document);
    return document;
  }
}

/** What the server remembers about one WebSocket connection. */
interface ConnectionState {
  principal: Principal | null;
  /** The web session that authenticated the connection (no token in connectionParams), if one did. */
  sessionId?: string;
}

/**
 * graphql-ws on the same port and path as HTTP. The bearer token comes from
 * `connectionParams.authorization` (browsers cannot set headers on a WebSocket); it is
 * checked once at `connection_init`, and a bad token closes the socket with 4403. Without
 * a token, the web app's session cookie on the upgrade request authenticates the socket;
 * the session's end (sign-out, revocation) closes it with 4403.
 * Every operation then gets its own EntityManager fork, like an HTTP request.
 */
export function createWsServer(httpServer: HttpServer, schema: GraphQLSchema, services: Services) {
  // A browser's upgrade from another site's page is refused: it would carry the session cookie.
  const verifyClient = ({ req }: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
    if (requestFromOwnOrigin(req, services.config.publicUrl)) done(true);
    else done(false, 403, 'Forbidden: cross-origin WebSocket');
  };
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', verifyClient });
  // Sockets by the web session that authenticated them: a session that ends closes them.
  const bySession = new Map<string, Set<WebSocket>>();
  const stopSessionEnds = services.events.onSessionEnded((sessionId) => {
    for (const socket of bySession.get(sessionId) ?? []) socket.close(4403, 'Forbidden: the session has ended');
    bySession.delete(sessionId);
  });
  const states = new WeakMap<object, ConnectionState>();
  const documents = new DocumentCache(schema);
  // A result shared by many subscribers is serialised once (message-json.ts): graphql-ws's
  // replacer sets its JSON aside and each socket's send puts it back. Registered before
  // useServer's own listener, so the socket is wrapped before graphql-ws sends on it.
  const json = messageJson(isSharedResult);
  const contextFor = (extra: { socket: WebSocket }, id: string): Context => {
    const context = createContext(services, states.get(extra)?.principal ?? null);
    const { socket } = extra;
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
  const cleanup = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      jsonMessageReplacer: json.replacer,
      // One execution per event for all the subscribers it reaches alike (shared-execution.ts);
      // that one result object is what each of them is sent, so that its JSON is made once.
      subscribe: sharedSubscribe((principal) => createContext(services, principal)),
      onNext: (_ctx, _id, _payload, _args, result) => (isSharedResult(result) ? (result as FormattedExecutionResult) : undefined),
      async onConnect(ctx) {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = typeof raw === 'string' ? bearerToken(raw) ?? raw : null;
        try {
          if (token === null) {
            // The web app: its session cookie came with the upgrade request.
            const session = await sessionCredential(services, ctx.extra.request);
            if (!session) return false;
            states.set(ctx.extra, { principal: session.principal, sessionId: session.sessionId });
            const { socket } = ctx.extra;
            const sockets = bySession.get(session.sessionId) ?? new Set<WebSocket>();
            bySession.set(session.sessionId, sockets.add(socket));
            socket.once('close', () => {
              sockets.delete(socket);
              if (sockets.size === 0 && bySession.get(session.sessionId) === sockets) bySession.delete(session.sessionId);
            });
            return true;
          }
          const principal = await authenticate(services.sql, services.hasher, services.config.bootstrapToken, token);
          if (!principal) return false;
          states.set(ctx.extra, { principal });
          return true;
        } catch (error) {
          if (error instanceof AppError) return false;
          throw error;
        }
      },
      onSubscribe(ctx, id, payload) {
        const document = documents.get(payload.query);
        if (!('kind' in document)) return document;
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: contextFor(ctx.extra, id),
        };
      },
    },
    wss,
  );
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
      stopSessionEnds();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
