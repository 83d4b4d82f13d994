import type { Server as HttpServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { GraphQLSchema } from 'graphql';
import type { Services } from '../services.js';
import type { Principal } from '../auth/principal.js';
import { authenticate } from '../auth/principal.js';
import { bearerToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { createContext, type Context } from './context.js';

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
  const cleanup = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      async onConnect(ctx) {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = typeof raw === 'string' ? bearerToken(raw) ?? raw : null;
        try {
          const principal = await authenticate(services.orm.em.fork(), services.hasher, services.config.bootstrapToken, token);
          if (!principal) return false;
          states.set(ctx.extra, { principal });
          return true;
        } catch (error) {
          if (error instanceof AppError) return false;
          throw error;
        }
      },
      context(ctx): Context {
        return createContext(services, states.get(ctx.extra)?.principal ?? null);
      },
    },
    wss,
  );
  return {
    wss,
    async dispose() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
