import type { Server as HttpServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { parse, validate, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Services } from '../services.js';
import type { Principal } from '../auth/principal.js';
import { authenticate } from '../auth/principal.js';
import { bearerToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { createContext, type Context } from './context.js';
import { sharedSubscribe } from './shared-execution.js';

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
  const contextFor = (extra: { socket: { close(code: number, reason: string): void } }): Context => {
    const context = createContext(services, states.get(extra)?.principal ?? null);
    context.closeConnection = (code, reason) => extra.socket.close(code, reason);
    return context;
  };
  const cleanup = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      // One execution per event for all the subscribers it reaches alike (shared-execution.ts).
      subscribe: sharedSubscribe((principal) => createContext(services, principal)),
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
          throw error;
        }
      },
      onSubscribe(ctx, _id, payload) {
        const document = documents.get(payload.query);
        if (!('kind' in document)) return document;
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: contextFor(ctx.extra),
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
