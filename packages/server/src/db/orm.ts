import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';
import type { Logger } from '../logger.js';

export interface OrmOptions {
  url: string;
  poolSize: number;
  logger?: Logger;
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
  await orm.getMigrator().up();
  return orm;
}
