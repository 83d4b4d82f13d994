import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';
import type { Logger } from '../logger.js';
import type { DatabaseTimeouts } from '../config.js';

export interface OrmOptions {
  url: string;
  poolSize: number;
  logger?: Logger;
  /** Create the URL's database when missing (MikroORM would, silently); false refuses a mistyped name. */
  createDatabase?: boolean;
  /** Absent: no time limits (the migration script, and migrations at start). */
  timeouts?: DatabaseTimeouts;
  /** Without `timeouts`, still give up on opening a connection after this long (a database that is down at start). */
  connectTimeoutMs?: number;
}

/** How much longer than the server's statement timeout the client waits for a connection that stopped answering. */
const CLIENT_GRACE_MS = 1000;

/** The part of a `pg` client the pool looks at before lending it out. */
interface PooledClient {
  readyForQuery?: boolean;
  _ending?: boolean;
  _queryable?: boolean;
  connection?: { stream?: { destroy(): void } };
}

/**
 * A connection whose last statement timed out on the client is still waiting for its
 * answer (pg does not close it): lending it out again would queue every statement behind
 * that one. The pool replaces such connections, and ones that broke or are closing.
 */
function idleAndHealthy(connection: PooledClient): boolean {
  if (connection.readyForQuery === true && connection._ending !== true && connection._queryable !== false) return true;
  // Closed politely, a connection that stopped answering would keep the pool waiting on its goodbye.
  connection.connection?.stream?.destroy();
  return false;
}

/** Connection options for `pg` that bound every wait on the database (DESIGN §11). */
function connectionTimeouts(timeouts: DatabaseTimeouts | undefined): Record<string, unknown> {
  if (!timeouts) return {};
  return {
    // PostgreSQL cancels a statement that runs too long, and a session idling in an open
    // transaction (a client that vanished) gives its locks back.
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.statementMs * 2,
    // The client gives up on a connection that stopped answering at all (the server cannot tell it).
    query_timeout: timeouts.statementMs + CLIENT_GRACE_MS,
    connectionTimeoutMillis: timeouts.acquireMs,
    keepAlive: true,
  };
}

/** The MikroORM options for a database URL; shared by the server and the migration script. */
export function ormOptions({ url, poolSize, logger, timeouts, connectTimeoutMs }: OrmOptions): Options {
  return {
    clientUrl: url,
    entities,
    // Request code must fork: the global EntityManager would leak state across requests.
    allowGlobalContext: false,
    // Every write already runs in an explicit transaction (the change and its audit event).
    implicitTransactions: false,
    forceUtcTimezone: true,
    // Entities are persisted explicitly inside the transaction that also writes their audit events.
    persistOnCreate: false,
    debug: false,
    pool: {
      min: 0,
      max: poolSize,
      ...(timeouts ? { acquireTimeoutMillis: timeouts.acquireMs, createTimeoutMillis: timeouts.acquireMs } : {}),
      validate: idleAndHealthy,
    } as Options['pool'],
    // openOrm decides whether a missing database may be created.
    ensureDatabase: false,
    driverOptions: {
      connection: { application_name: 'countersign', ...(connectTimeoutMs ? { connectionTimeoutMillis: connectTimeoutMs } : {}), ...connectionTimeouts(timeouts) },
      // knex's own warnings (a connection that broke) go to the server's log, not to the console.
      ...(logger ? { log: { warn: (message: unknown) => logger.warn({ knex: true }, String(message)), error: (message: unknown) => logger.error({ knex: true }, String(message)), deprecate: () => undefined, debug: () => undefined } } : {}),
    },
    logger: logger ? (message) => logger.debug({ orm: true }, message) : undefined,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      tableName: 'mikro_orm_migrations',
    },
  };
}

/**
 * Connects and brings the schema up to date (migrations are applied at every start). A
 * migration may run longer than any request may wait, so migrations run first on their own
 * connection without the time limits; then the pool that serves requests opens with them.
 */
export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const migrating = await MikroORM.init(ormOptions({ ...options, timeouts: undefined, connectTimeoutMs: options.timeouts?.acquireMs }));
  try {
    if (options.createDatabase) await migrating.schema.ensureDatabase();
    else await refuseMissingDatabase(migrating, options.url);
    await migrating.getMigrator().up();
  } finally {
    await migrating.close(true);
  }
  return MikroORM.init(ormOptions(options));
}

/** A database that does not exist (a typo in DATABASE_URL) is named, not created and served. */
async function refuseMissingDatabase(orm: MikroORM, url: string): Promise<void> {
  try {
    await orm.em.getConnection().execute('select 1');
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
    const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
    throw new MissingDatabaseError(name);
  }
}

/** DATABASE_URL names a database that does not exist, and creating it was not asked for. */
export class MissingDatabaseError extends Error {
  override readonly name = 'MissingDatabaseError';
  constructor(readonly database: string) {
    super(`database "${database}" does not exist: check DATABASE_URL, or set COUNTERSIGN_CREATE_DATABASE=true to create it`);
  }
}
