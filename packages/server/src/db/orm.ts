import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';
import type { Logger } from '../logger.js';

export interface OrmOptions {
  url: string;
  poolSize: number;
  logger?: Logger;
  /** Create the URL's database when missing (MikroORM would, silently); false refuses a mistyped name. */
  createDatabase?: boolean;
}

/** The MikroORM options for a database URL; shared by the server and the migration script. */
export function ormOptions({ url, poolSize, logger }: OrmOptions): Options {
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
    pool: { min: 0, max: poolSize },
    // openOrm decides whether a missing database may be created.
    ensureDatabase: false,
    driverOptions: { connection: { application_name: 'countersign' } },
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

/** Connects and brings the schema up to date (migrations are applied at every start). */
export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(options));
  try {
    if (options.createDatabase) await orm.schema.ensureDatabase();
    else await refuseMissingDatabase(orm, options.url);
    await orm.getMigrator().up();
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
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
