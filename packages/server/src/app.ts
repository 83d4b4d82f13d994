import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openOrm } from './db/orm.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { embeddedBootstrapToken, sharedSecret } from './db/bootstrap.js';
import { TokenHasher, bearerToken } from './auth/tokens.js';
import { AgentKeyCache, authenticate, type Principal } from './auth/principal.js';
import { agentOfTopic } from './auth/credentials.js';
import { AppError, ErrorCode } from './errors.js';
import { createSchema } from './graphql/schema.js';
import { graphqlHttpHandler } from './graphql/http.js';
import { createWsServer } from './graphql/ws.js';
import { createContext, type Context } from './graphql/context.js';
import { QueryLimits } from './graphql/limits.js';
import { createRateLimiter, rateLimitKey, rateLimitedError } from './limits/rate-limit.js';
import type { Services } from './services.js';
import { GovernanceCache } from './governance/governance.service.js';
import { ReceiptService } from './receipts/receipts.service.js';
import { EventBus } from './events/event-bus.js';
import { QueueStream } from './events/queue-stream.js';
import { servePrometheus } from './metrics/prometheus.js';
import { TimerWorker } from './escalation/timer.worker.js';
import { webhookWorker } from './notifications/delivery.worker.js';
import { startSlack, type SlackIntegration } from './notifications/slack/slack.integration.js';
import { startEmail } from './notifications/email/index.js';
import { GroupCommitter } from './db/group-commit.js';
import { pooledExecutor } from './db/sql.js';
import { BehaviourCache } from './actions/behaviour.js';
import { ApproverSets } from './escalation/approver-sets.js';
import { DirectoryCache } from './escalation/directory.js';
import { readCommitFacts } from './actions/commit-facts.js';
import { GrantCandidates } from './grants/candidates.js';
import { formatUnavailable, isDatabaseUnavailable, RETRY_AFTER_SECONDS, unavailableError, unavailableStatusPlugin } from './db/faults.js';
import { withTimeout } from './shared/timeout.js';
import { openSecrets } from './secrets/at-rest.js';
import { authenticateSessionCookie, hasSessionCookie } from './auth/sessions.js';
import { sessionRoutes } from './auth/session.routes.js';
import { oidcClientFor, oidcRoutes } from './auth/oidc.routes.js';
import { cameOverHttps, requestFromOwnOrigin } from './auth/origin.js';
import { staticApp } from './web/static.js';

/** Submission groups in flight at once per instance (PostgreSQL); each holds one pooled connection. */
const GROUP_COMMIT_CONCURRENCY = 3;

export interface App {
  /** e.g. http://127.0.0.1:4000/graphql */
  url: string;
  httpServer: http.Server;
  services: Services;
  /** Stops accepting, finishes in-flight requests, closes WebSockets, then the database. */
  dispose(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
}

/**
 * Builds and starts one Countersign instance: database (external or embedded), migrations,
 * GraphQL over HTTP and WebSocket on `/graphql`, health endpoints. Tests call this
 * in-process; main.ts calls it and handles signals.
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const cleanups: (() => Promise<void>)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'error during shutdown'));
    }
  };

  try {
    let embedded: EmbeddedPostgres | null = null;
    let bootstrapToken = config.bootstrapToken;
    if (config.databaseUrl === null) {
      embedded = await startEmbeddedPostgres(config.dataDir);
      cleanups.push(() => embedded!.close());
      logger.info({ dataDir: config.dataDir }, 'using the embedded database (set DATABASE_URL to use PostgreSQL)');
      if (bootstrapToken === null) {
        const generated = await embeddedBootstrapToken(config.dataDir);
        bootstrapToken = generated.token;
        logger.info({ file: generated.file }, generated.created ? 'generated an admin token; read it from this file' : 'the admin token is in this file');
      }
    }

    const orm = await openOrm({ url: embedded?.url ?? config.databaseUrl!, poolSize: embedded ? 1 : config.databasePoolSize, logger, createDatabase: embedded !== null || config.createDatabase, timeouts: config.databaseTimeouts });
    cleanups.push(() => orm.close(true));

    const secrets = await openSecrets(orm.em.fork(), config, logger);
    const hasher = new TokenHasher(await sharedSecret(orm.em.fork(), 'token_hash_key', secrets));
    let issuer = config.issuer ?? '';
    const receipts = new ReceiptService(() => issuer, config.receiptTtlSeconds, secrets);
    await receipts.ensureKey(orm.em.fork());
    const events = embedded ? EventBus.inProcess(logger) : await EventBus.postgres(config.databaseUrl!, logger, { timeoutMs: config.databaseTimeouts.statementMs, heartbeatMs: config.databaseTimeouts.statementMs });
    cleanups.push(() => events.close());
    const agentKeys = new AgentKeyCache(config.agentKeyCacheMs);
    events.onPrincipalChanged((topic) => {
      const agentId = agentOfTopic(topic);
      if (agentId) agentKeys.forgetAgent(agentId);
    });
    events.onDisconnected(() => agentKeys.setEnabled(false));
    events.onResync(() => agentKeys.setEnabled(true));
    const sql = pooledExecutor(orm);
    const services: Services = {
      config: { ...config, bootstrapToken },
      logger,
      orm,
      sql,
      hasher,
      secrets,
      governance: new GovernanceCache(),
      receipts,
      events,
      queueStream: new QueueStream(sql, events),
      // Embedded mode has one connection: its groups go one at a time.
      writer: new GroupCommitter(orm, readCommitFacts, events, embedded ? 1 : GROUP_COMMIT_CONCURRENCY),
      agentKeys,
      behaviour: new BehaviourCache(),
      grouping: { from: config.groupAssignmentFrom, sets: new ApproverSets() },
      directory: new DirectoryCache(),
      grants: new GrantCandidates(),
      embedded: embedded !== null,
    };

    const schema = await createSchema();
    const limits = new QueryLimits(schema, config.limits);
    const rateLimiter = createRateLimiter(config.limits.rate, config.redisUrl, logger);
    cleanups.push(() => rateLimiter.close());
    const httpServer = http.createServer();
    // Its own cache of checked documents: HTTP traffic cannot evict the documents that subscriptions share (shared-execution.ts).
    const ws = createWsServer(httpServer, schema, services, { limits: new QueryLimits(schema, config.limits), rateLimiter });

    const apollo = new ApolloServer<Context>({
      schema,
      introspection: true,
      // Off: a document known only by its hash would skip the limits checked before Apollo (graphql/http.ts).
      persistedQueries: false,
      includeStacktraceInErrorResponses: false,
      // main.ts owns the signals and the order of shutdown; Apollo must not stop on its own.
      stopOnTerminationSignals: false,
      // A request without a JSON content type (or the preflight header) is refused: a form
      // or a "simple" cross-site request cannot carry the session cookie into a mutation.
      csrfPrevention: true,
      formatError: (formatted, error) => formatError(formatted, error, logger),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // Every answer is private to its caller and nothing sets cache hints; without this
        // plugin Apollo also stops wrapping every field resolver to collect them.
        ApolloServerPluginCacheControlDisabled(),
        unavailableStatusPlugin(),
        { async serverWillStart() { return { async drainServer() { await ws.dispose(); } }; } },
      ],
    });
    await apollo.start();
    cleanups.push(() => apollo.stop());

    // Requests whose agent the early check already knew (from the key cache) and counted.
    const knownEarly = new WeakMap<object, Principal>();
    const handleGraphql = graphqlHttpHandler(
      apollo,
      async (req) => {
        let principal;
        try {
          const token = bearerToken(req.headers.authorization);
          // The bearer token wins; without one, the web app's session cookie authenticates.
          if (token === null && hasSessionCookie(req)) {
            const session = await authenticateSessionCookie(services, req);
            if (!session) throw AppError.unauthenticated('Your session has ended (signed out, expired or revoked): sign in again.');
            principal = session.principal;
          } else {
            principal = knownEarly.get(req) ?? await authenticate(services.sql, hasher, services.config.bootstrapToken, token, { snapshot: true, cache: services.agentKeys });
          }
        } catch (error) {
          const unavailable = unavailableError(error);
          if (unavailable) {
            throw new GraphQLError(unavailable.message, { extensions: { ...unavailable.extensions, http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) } } });
          }
          if (!(error instanceof AppError)) throw error;
          // A caller trying tokens counts against its address, like any anonymous caller.
          const decision = await rateLimiter.consume(rateLimitKey(null, req.socket.remoteAddress));
          if (!decision.ok) throw rateLimitedHttpError(decision.retryAfterSeconds);
          throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
        }
        if (!knownEarly.has(req)) {
          const decision = await rateLimiter.consume(rateLimitKey(principal, req.socket.remoteAddress));
          if (!decision.ok) throw rateLimitedHttpError(decision.retryAfterSeconds);
        }
        return createContext(services, principal);
      },
      limits,
      // An agent already known by its key is counted from the headers: a flood is refused
      // before its bodies are read or parsed, so it costs its neighbours little (DESIGN §9).
      async (req) => {
        const token = bearerToken(req.headers.authorization);
        const known = token === null ? null : services.agentKeys.get(hasher.hash(token));
        if (!known) return null;
        knownEarly.set(req, known);
        const decision = await rateLimiter.consume(rateLimitKey(known, req.socket.remoteAddress));
        return decision.ok ? null : decision;
      },
    );

    const oidcClient = oidcClientFor(services);
    const handleSession = sessionRoutes(services, oidcClient);
    const handleOidc = oidcRoutes(services, oidcClient);
    // Sign-in attempts (token or single sign-on) count against the caller's address like any anonymous request.
    const limitedByAddress = (req: http.IncomingMessage, res: http.ServerResponse, fail: (error: unknown) => void, handle: () => void | Promise<void>) => {
      rateLimiter
        .consume(rateLimitKey(null, req.socket.remoteAddress))
        .then((decision) => {
          if (decision.ok) return handle();
          res.writeHead(429, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(decision.retryAfterSeconds) });
          res.end(JSON.stringify({ error: { code: ErrorCode.RATE_LIMITED, message: `Too many requests: try again in ${decision.retryAfterSeconds} s.`, retryAfter: decision.retryAfterSeconds } }));
        })
        .catch(fail);
    };
    // Slack interactive approvals (DESIGN §14), when configured: its outbox, worker and interactions endpoint.
    const slack: SlackIntegration | null = config.slack ? startSlack(services, config.slack, rateLimiter) : null;
    if (slack) cleanups.push(() => slack.stop());
    const handleStatic = staticApp({ dir: config.webDir, publicUrl: config.publicUrl, logger, https: (req) => cameOverHttps(req, config.publicUrl) });

    httpServer.on('request', (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const fail = (error: unknown) => {
        if (isDatabaseUnavailable(error)) {
          logger.warn({ err: error }, 'request failed: database unavailable');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_SECONDS) });
          res.end(JSON.stringify({ error: 'database unavailable' }));
          return;
        }
        logger.error({ err: error }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal error' }));
      };
      switch (path) {
        case '/graphql':
          // CSRF: a request the session cookie would authenticate must come from our own pages.
          if (bearerToken(req.headers.authorization) === null && hasSessionCookie(req) && !requestFromOwnOrigin(req, config.publicUrl)) {
            res.writeHead(403, { 'content-type': 'application/json', 'cache-control': 'no-store' });
            res.end(JSON.stringify({ errors: [{ message: 'Cross-origin requests may not use the session cookie.', extensions: { code: ErrorCode.FORBIDDEN } }] }));
            return;
          }
          handleGraphql(req, res, fail);
          return;
        case '/auth/session':
          limitedByAddress(req, res, fail, () => handleSession(req, res));
          return;
        case '/auth/config':
        case '/auth/oidc/start':
        case '/auth/oidc/callback':
          limitedByAddress(req, res, fail, () => handleOidc(req, res, path));
          return;
        case '/integrations/slack/interactions':
          if (slack) slack.interactions.handle(req, res, fail);
          else sendJson(res, 404, { error: 'Slack is not configured on this server (COUNTERSIGN_SLACK_SIGNING_SECRET, COUNTERSIGN_SLACK_BOT_TOKEN).' });
          return;
        case '/.well-known/jwks.json':
          receipts
            .jwks(orm.em.fork())
            .then((set) => {
              res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
              res.end(JSON.stringify(set));
            })
            .catch(fail);
          return;
        case '/metrics':
          servePrometheus(orm.em.fork(), res, logger);
          return;
        case '/healthz':
          sendJson(res, 200, { status: 'ok' });
          return;
        case '/readyz':
          // Its own short deadline: a database that hangs must not hang the probe too.
          withTimeout(services.sql.execute('select 1'), config.databaseTimeouts.readinessMs, 'readiness check timed out')
            .then(() => sendJson(res, 200, { status: 'ready' }))
            .catch((error: unknown) => {
              logger.warn({ err: error }, 'readiness check failed: database unreachable');
              res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
              sendJson(res, 503, { status: 'unavailable', reason: 'database unreachable' });
            });
          return;
        default:
          if (path.startsWith('/auth/') || path.startsWith('/.well-known/') || path.startsWith('/integrations/')) {
            sendJson(res, 404, { error: `No route for ${path}. GraphQL is served at /graphql.` });
            return;
          }
          // Everything else is the web app's (its router decides what a path shows).
          handleStatic(req, res, path);
      }
    });

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    const address = httpServer.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}/graphql`;
    issuer ||= `http://${host}:${address.port}`;
    if (services.config.publicUrl === null) {
      // Notifications link to the web app at the server's own URL unless told otherwise.
      const unspecified = address.address === '0.0.0.0' || address.address === '::';
      services.config.publicUrl = `http://${unspecified ? 'localhost' : host}:${address.port}`;
      if (unspecified) logger.warn({ publicUrl: services.config.publicUrl }, 'listening on every interface: set COUNTERSIGN_PUBLIC_URL to the address people open, so that notifications link to it');
    }
    logger.info({ url }, 'Countersign is listening');

    // Escalation and delegation timers: overdue ones (e.g. from while every instance was down) fire now.
    const timers = new TimerWorker(services, embedded ? 1 : 2);
    timers.start();
    cleanups.push(() => timers.stop());
    // Webhook notifications: deliveries left undelivered by a previous run are sent now.
    const deliveries = webhookWorker(services);
    deliveries.start();
    cleanups.push(() => deliveries.stop());
    slack?.start();
    // Email to approvers (COUNTERSIGN_SMTP_URL): what the outbox holds for it, and the daily review digests.
    const email = await startEmail(services);
    cleanups.push(() => email.stop());

    let disposed: Promise<void> | null = null;
    return {
      url,
      httpServer,
      services,
      dispose() {
        disposed ??= runCleanups();
        return disposed;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/** RATE_LIMITED as Apollo answers it from the context function: HTTP 429 with `Retry-After`. */
function rateLimitedHttpError(retryAfterSeconds: number): GraphQLError {
  const error = rateLimitedError(retryAfterSeconds);
  const headers = new HeaderMap([['retry-after', String(retryAfterSeconds)]]);
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 429, headers } } });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Errors the caller can act on keep their message and code; anything unexpected is logged
 * in full and returned as a bare INTERNAL_SERVER_ERROR, so internals never leak.
 */
function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const code = formatted.extensions?.code;
  if (original instanceof AppError || (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR)) return formatted;
  if (isDatabaseUnavailable(original)) {
    logger.warn({ err: original, path: formatted.path }, 'the database is unavailable');
    return formatUnavailable(formatted);
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error in a resolver');
  return { message: 'Internal server error.', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
