import { randomBytes } from 'node:crypto';
import { createApp, loadConfig, type App, type AppOptions } from '@countersign/server';
import { createTestDatabase, type TestDatabase } from './database.js';
import { gqlOk } from './graphql.js';

export interface TestServer {
  app: App;
  url: string;
  /** The bootstrap admin token the server was started with. */
  adminToken: string;
  dispose(): Promise<void>;
}

/**
 * Starts a Countersign instance in-process on a free port. Pass `database` to share one
 * database between instances (multi-instance tests); pass `env` for extra configuration.
 */
export async function startServer(options: { database: TestDatabase; env?: Record<string, string>; adminToken?: string; logger?: AppOptions['logger'] }): Promise<TestServer> {
  const adminToken = options.adminToken ?? `test-bootstrap-${randomBytes(16).toString('hex')}`;
  const result = loadConfig({
    DATABASE_URL: options.database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    COUNTERSIGN_BOOTSTRAP_TOKEN: adminToken,
    DATABASE_POOL_SIZE: '5',
    COUNTERSIGN_TIMER_POLL_MS: '50',
    // Tests seed and flood at machine speed; the rate-limit tests set their own limits.
    COUNTERSIGN_RATE_LIMIT: '1000000',
    COUNTERSIGN_RATE_LIMIT_BURST: '1000000',
    // Bursts of hundreds of requests on a loaded test machine queue for the pool of 5 longer
    // than production's defaults allow; test/database-faults.test.ts sets short ones.
    DATABASE_ACQUIRE_TIMEOUT_MS: '30000',
    DATABASE_STATEMENT_TIMEOUT_MS: '30000',
    // The whole suite can run with every level stored as group assignments (1: from one person).
    ...(process.env.COUNTERSIGN_GROUP_ASSIGNMENT_FROM ? { COUNTERSIGN_GROUP_ASSIGNMENT_FROM: process.env.COUNTERSIGN_GROUP_ASSIGNMENT_FROM } : {}),
    ...options.env,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const app = await createApp(result.config, { logger: options.logger });
  return { app, url: app.url, adminToken, dispose: () => app.dispose() };
}

/** A database and one server on it, for the common single-instance test file. */
export async function startStack(env?: Record<string, string>): Promise<TestServer & { database: TestDatabase }> {
  const database = await createTestDatabase();
  try {
    const server = await startServer({ database, env });
    return {
      ...server,
      database,
      async dispose() {
        await server.dispose();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** Creates an approver through the API and returns it with its token. */
export async function createApprover(server: TestServer, name: string, roles: string[] = []): Promise<{ id: string; name: string; token: string }> {
  const data = await gqlOk<{ createApprover: { approver: { id: string; name: string }; token: string } }>(
    server.url,
    'mutation($input: CreateApproverInput!) { createApprover(input: $input) { approver { id name } token } }',
    { input: { name, roles, email: `${name}@example.com` } },
    server.adminToken,
  );
  return { ...data.createApprover.approver, token: data.createApprover.token };
}

/** Creates an agent through the API and returns it with its API key. */
export async function createAgent(server: TestServer, name: string, extra: { ownerId?: string; tags?: string[] } = {}): Promise<{ id: string; name: string; apiKey: string }> {
  const data = await gqlOk<{ createAgent: { agent: { id: string; name: string }; apiKey: string } }>(
    server.url,
    'mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id name } apiKey } }',
    { input: { name, ...extra } },
    server.adminToken,
  );
  return { ...data.createAgent.agent, apiKey: data.createAgent.apiKey };
}
