/**
 * Generates a migration from the difference between the entities and the migrations so far.
 * Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch pnpm tsx scripts/create-migration.ts
 * (an empty scratch database; the new file lands in src/db/migrations: add it to index.ts).
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/db/orm.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL (an empty scratch database) is required');
const options = ormOptions({ url, poolSize: 1 });
const orm = await MikroORM.init({
  ...options,
  migrations: { ...options.migrations, path: new URL('../src/db/migrations', import.meta.url).pathname, emit: 'ts', fileName: (ts: string, name?: string) => `Migration${ts}${name ? '_' + name : ''}` },
});
const migrator = orm.getMigrator();
await migrator.up();
const result = await migrator.createMigration(undefined, false, false, process.argv[2]);
console.log(result.fileName || 'no changes');
await orm.close();
