import { JsonType, ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { SqlExecutor } from './sql.js';
import type { RowWriter } from './row-writer.js';

/** How one entity's records become the parameters of a multi-row INSERT. */
interface TableShape {
  table: string;
  columns: string;
  values: ((record: Record<string, unknown>) => unknown)[];
  /** Each column's name (quoted) and SQL type, for `unnest` and its casts. */
  fields: { name: string; type: string }[];
  /**
   * Whether rows may go as one array per column (`unnest`): not when a column is itself an
   * array (unnest would flatten it); those rows go as a VALUES list.
   */
  unnestable: boolean;
}

/** From this many rows, a table without array columns is inserted from one array per column. */
const UNNEST_FROM = 8;

/**
 * Plain records to insert, gathered during a transaction and written with one multi-row
 * INSERT per table at {@link flush} — the unit-of-work shape of `em.persist` + `em.flush`,
 * without entity instances, change sets or the query builder. Which columns exist and how
 * each value is stored (JSON, arrays, relation ids) comes from the ORM's metadata of the
 * entity, so a record written here is the row the ORM would have written, and a column
 * added to an entity is written here too (a record missing it fails to type-check).
 *
 * Used where the ORM's per-entity cost dominates a hot path (submissions, with their
 * assignments and timers); everything else persists entities.
 */
export class RowBatch implements RowWriter {
  private readonly pending = new Map<TableShape, Record<string, unknown>[]>();

  constructor(
    private readonly shapes: RowShapes,
    private readonly sql: SqlExecutor,
  ) {}

  add<T extends object>(entity: new () => T, record: object): void {
    const shape = this.shapes.of(entity);
    let rows = this.pending.get(shape);
    if (!rows) this.pending.set(shape, (rows = []));
    rows.push(record as Record<string, unknown>);
  }

  /** Runs a statement in the same transaction (flush first if it depends on the records added). */
  readonly execute: SqlExecutor['execute'] = (text, params) => this.sql.execute(text, params);

  /**
   * Inserts everything added so far, in one statement when it fits: one INSERT per table
   * (chunked under the protocol's parameter limit), joined as data-modifying CTEs — a
   * submission routed to a chain writes its request, assignments and timers in one round
   * trip instead of three. Foreign keys are checked at the end of the statement, so a row
   * may refer to one inserted by an earlier part of it.
   */
  async flush(): Promise<void> {
    const inserts: [string, unknown[]][] = [];
    for (const [shape, rows] of this.pending) {
      if (shape.unnestable && rows.length >= UNNEST_FROM) {
        inserts.push(unnestInsert(shape, rows));
        continue;
      }
      const perRow = shape.values.length;
      const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / perRow));
      for (let start = 0; start < rows.length; start += chunk) {
        const slice = rows.slice(start, start + chunk);
        const params: unknown[] = [];
        const tuples: string[] = [];
        for (const row of slice) {
          tuples.push(`(${shape.values.map(() => '?').join(', ')})`);
          for (const value of shape.values) params.push(value(row));
        }
        inserts.push([`insert into "${shape.table}" (${shape.columns}) values ${tuples.join(', ')}`, params]);
      }
    }
    this.pending.clear();
    for (const statement of joinStatements(inserts)) await this.sql.execute(...statement);
  }
}

/**
 * Consecutive INSERTs joined into as few statements as the parameter limit allows, in
 * their order (`with "i1" as (…), "i2" as (…) …`): the parameters follow the text's
 * placeholders, and each part runs on the statement's one snapshot.
 */
export function joinStatements(inserts: [string, unknown[]][]): [string, unknown[]][] {
  const joined: [string, unknown[]][] = [];
  let parts: [string, unknown[]][] = [];
  let count = 0;
  const close = () => {
    if (parts.length === 0) return;
    const last = parts[parts.length - 1]!;
    const ctes = parts.slice(0, -1).map(([text], i) => `"i${i + 1}" as (${text})`);
    joined.push([ctes.length > 0 ? `with ${ctes.join(', ')} ${last[0]}` : last[0], parts.flatMap(([, params]) => params)]);
    parts = [];
    count = 0;
  };
  for (const insert of inserts) {
    if (count + insert[1].length > MAX_PARAMETERS) close();
    parts.push(insert);
    count += insert[1].length;
  }
  close();
  return joined;
}

/** PostgreSQL's wire protocol counts parameters in 16 bits. */
const MAX_PARAMETERS = 65_535;

/** Table shapes derived once per entity from the ORM's metadata. */
export class RowShapes {
  private readonly shapes = new Map<unknown, TableShape>();

  constructor(private readonly orm: MikroORM) {}

  of(entity: new () => object): TableShape {
    let shape = this.shapes.get(entity);
    if (!shape) this.shapes.set(entity, (shape = tableShape(this.orm.getMetadata().get(entity.name))));
    return shape;
  }
}

function tableShape(meta: EntityMetadata): TableShape {
  const props = meta.props.filter((p) => p.persist !== false && !p.formula && (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner)));
  for (const p of props) {
    if (p.fieldNames.length !== 1) throw new Error(`${meta.className}.${p.name}: composite columns are not supported by RowBatch`);
  }
  const types = props.map((p) => p.columnTypes?.[0] ?? null);
  return {
    table: meta.tableName,
    columns: props.map((p) => `"${p.fieldNames[0]}"`).join(', '),
    values: props.map(valueOf),
    fields: props.map((p, i) => ({ name: `"${p.fieldNames[0]}"`, type: types[i] ?? '' })),
    unnestable: types.every((t) => t !== null && !t.endsWith('[]')),
  };
}

/**
 * The INSERT of many rows from one array per column: as many parameters as columns, which
 * PostgreSQL plans at once where a long VALUES list is slow to plan. A column holding the
 * same value in every row goes as that one value, not an array of copies (BENCHMARKS.md).
 */
function unnestInsert(shape: TableShape, rows: Record<string, unknown>[]): [string, unknown[]] {
  const select: string[] = [];
  const arrays: string[] = [];
  const scalarParams: unknown[] = [];
  const arrayParams: unknown[] = [];
  shape.values.forEach((value, i) => {
    const { name, type } = shape.fields[i]!;
    const column = rows.map(value);
    // At least one array, so that unnest yields one row per record.
    if (allSame(column) && !(arrays.length === 0 && i === shape.values.length - 1)) {
      select.push(`?::${type}`);
      scalarParams.push(column[0]);
    } else {
      select.push(name);
      arrays.push(`?::${type}[]`);
      arrayParams.push(column);
    }
  });
  const names = shape.fields.filter((_, i) => !select[i]!.startsWith('?')).map((f) => f.name);
  return [
    `insert into "${shape.table}" (${shape.columns}) select ${select.join(', ')} from unnest(${arrays.join(', ')}) as "u"(${names.join(', ')})`,
    [...scalarParams, ...arrayParams],
  ];
}

/** Whether every value is the same one (Dates by their time, everything else by identity). */
function allSame(values: unknown[]): boolean {
  const [first] = values;
  if (first instanceof Date) {
    const time = first.getTime();
    return values.every((v) => v instanceof Date && v.getTime() === time);
  }
  return values.every((v) => v === first);
}

function valueOf(prop: EntityProperty): (record: Record<string, unknown>) => unknown {
  const name = prop.name;
  if (prop.kind !== ReferenceKind.SCALAR) {
    return (record) => (record[name] as { id: string } | null | undefined)?.id ?? null;
  }
  if (prop.customType instanceof JsonType) {
    return (record) => (record[name] === null || record[name] === undefined ? null : JSON.stringify(record[name]));
  }
  // Anything else goes as it is: pg sends a JS array as a PostgreSQL array literal (as the
  // ORM stores ArrayType), a Date as a timestamp.
  return (record) => record[name] ?? null;
}
