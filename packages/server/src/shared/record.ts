/**
 * A plain record of an entity: every stored property, with relations as `{ id }`. The
 * entity classes themselves satisfy it, so one function can read either; a row writer
 * (db/row-batch.ts) writes them as they are.
 */
export type RecordOf<T, Relations extends keyof T> = Omit<T, Relations> & { [K in Relations]: null extends T[K] ? { id: string } | null : { id: string } };
