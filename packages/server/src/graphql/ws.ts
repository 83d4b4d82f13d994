import type { Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { parse, validate, GraphQLError, type DocumentNode, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { Services } from '../services.js';
import type { Principal } from '../auth/principal.js';
import { authenticate } from '../auth/principal.js';
import { bearerToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { createContext, type Context } from './context.js';
import { isSharedResult, sharedSubscribe } from './shared-execution.js';
import { messageJson } from './message-json.js';
import { publicErrors, publicResult } from './public-errors.js';
import { unavailableError } from '../db/faults.js';

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
}

/**
 * graphql-ws on the same port and path as HTTP. The bearer token comes from
 * `connectionParams.authorization` (browsers cannot set headers on a WebSocket); it is
 * checked once at `connection_init`, and a bad token closes the socket with 4403.
 * Every operation then gets its own EntityManager fork, like an HTTP request.
 */
export function createWsServer(httpServer: HttpServer, schema: GraphQLSchema, services: Services) {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
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
      onNext: (_ctx, _id, _payload, _args, result) => (isSharedResult(result) ? (result as FormattedExecutionResult) : (publicResult(result, services.logger) as FormattedExecutionResult | undefined)),
      onError: (_ctx, _id, _payload, errors) => publicErrors(errors, services.logger),
      async onConnect(ctx) {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = typeof raw === 'string' ? bearerToken(raw) ?? raw : null;
        try {
          const principal = await authenticate(services.sql, services.hasher, services.config.bootstrapToken, token);
          if (!principal) return false;
          states.set(ctx.extra, { principal });
          return true;
        } catch (error) {
          if (error instanceof AppError) return false;
          // graphql-ws closes with 4500 and this message, which the SDK reads as UNAVAILABLE.
          throw unavailableError(error) ?? error;
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
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
