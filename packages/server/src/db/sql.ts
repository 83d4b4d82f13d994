import type { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import type { AnyEntity, EntityData, QueryResult } from '@mikro-orm/core';
import { isDatabaseUnavailable } from './faults.js';

/**
 * What a hand-written statement needs to run: `execute(sql, params)` with `?`
 * placeholders, answering the rows. An EntityManager is one (inside or outside its
 * transaction); {@link rawTransaction} gives another that talks to `pg` directly.
 */
export interface SqlExecutor {
  execute<T extends QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[] = EntityData<AnyEntity>[]>(sql: string, params?: unknown[]): Promise<T>;
}

/** The part of a `pg` client this module uses. */
interface PgClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `work` in one transaction on a connection of the ORM's own pool, sending each
 * statement to `pg` as a parameterised query.
 *
 * Why not `em.transactional` + `em.execute`: MikroORM formats every parameter into the
 * SQL text on the client (quoting and escaping each value, JSON included) and then goes
 * through knex's query builder, which on the submission path cost more CPU than the
 * statement itself. Here the text is fixed and the values travel separately, as the
 * protocol intends. The connection comes from the same pool (so embedded mode, with its
 * one connection, still has one) and goes back to it afterwards.
 */
export async function rawTransaction<T>(orm: MikroORM, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const client = knexClient(orm);
  const connection = (await client.acquireConnection()) as PgClient;
  const sql = pgExecutor(connection);
  let broken = false;
  try {
    await connection.query('begin');
    const result = await work(sql);
    await connection.query('commit');
    return result;
  } catch (error) {
    // A connection that broke or stopped answering would only make the rollback wait out
    // its own timeout: drop it (PostgreSQL rolls back what it had) and report at once.
    if (isDatabaseUnavailable(error)) broken = true;
    else {
      try {
        await connection.query('rollback');
      } catch {
        // The connection itself failed: do not give it back to the pool as if it were fine.
        broken = true;
      }
    }
    throw error;
  } finally {
    if (broken) {
      (connection as { __knex__disposed?: unknown }).__knex__disposed = new Error('connection broken during a transaction');
      (connection as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
    await client.releaseConnection(connection);
  }
}

/**
 * Statements outside any transaction on connections of the ORM's pool, as
 * {@link rawTransaction} sends them: for the reads on every request's path
 * (authentication, a submission's history), where the ORM's formatting cost more than the
 * query.
 */
export function pooledExecutor(orm: MikroORM): SqlExecutor {
  const client = knexClient(orm);
  return {
    async execute<T>(text: string, params: unknown[] = []): Promise<T> {
      const connection = (await client.acquireConnection()) as PgClient;
      try {
        return await pgExecutor(connection).execute<T & object>(text, params);
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}

function knexClient(orm: MikroORM): Knex.Client & { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> } {
  return orm.em.getConnection().getKnex().client as never;
}

function pgExecutor(connection: PgClient): SqlExecutor {
  return {
    async execute<T>(text: string, params: unknown[] = []): Promise<T> {
      const result = await connection.query(positional(text), params);
      return result.rows as unknown as T;
    },
  };
}

const converted = new Map<string, string>();
const MAX_CONVERTED = 1000;

/**
 * `?` placeholders (the EntityManager's style, which the shared statements use) as `$1`,
 * `$2`… for `pg`. A `?` inside a quoted string or identifier is left alone; the hand-written
 * statements use no `?` operators of jsonb.
 */
export function positional(text: string): string {
  const cached = converted.get(text);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (converted.size >= MAX_CONVERTED) converted.delete(converted.keys().next().value!);
  converted.set(text, out);
  return out;
}
