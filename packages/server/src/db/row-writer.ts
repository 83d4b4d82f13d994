import { ReferenceKind } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlExecutor } from './sql.js';

/**
 * Where a transaction's new rows go: plain records of an entity (shared/record.ts), with
 * relations as `{ id }`, plus statements in the same transaction. A submission's group
 * writes them as multi-row INSERTs (RowBatch); everything else persists entities
 * ({@link entityWriter}). Domain code writes through this and knows neither.
 */
export interface RowWriter extends SqlExecutor {
  add<T extends object>(entity: new () => T, record: object): void;
}

/**
 * A RowWriter over an EntityManager's transaction: each record becomes a persisted entity
 * (its `{ id }` relations references), written at the caller's flush.
 */
export function entityWriter(em: EntityManager): RowWriter {
  return {
    execute: (sql, params) => em.execute(sql, params),
    add(entity, record) {
      const data: Record<string, unknown> = { ...record };
      for (const relation of em.getMetadata().get(entity.name).relations) {
        if (relation.kind !== ReferenceKind.MANY_TO_ONE) continue;
        const ref = data[relation.name] as { id: string } | null | undefined;
        if (ref) data[relation.name] = em.getReference(relation.type, ref.id);
      }
      em.persist(em.create(entity, data as never));
    },
  };
}
