import type { EntityManager } from '@mikro-orm/postgresql';
import { sealCanonical, createChainVerifier, GENESIS_HASH, type AuditEventRecord, type ChainVerification } from './chain.js';
import { planNotifications } from '../notifications/outbox.js';
import type { SqlExecutor } from '../db/sql.js';
import type { AuditEntry } from './entry.js';

export type { AuditEntry };

/**
 * Appends audit events to the hash chain inside the caller's transaction, with the outbox
 * rows of the notifications they call for.
 *
 * How concurrent writers share the chain head: every append locks the single
 * `audit_head` row (`SELECT … FOR UPDATE`), assigns the next `seq`s and hashes in memory,
 * inserts the events and advances the head, and the lock is released by the caller's
 * COMMIT. That serialises appenders across all instances — the price of a strict,
 * gap-free sequence in which a deleted or reordered event is detectable. To keep the
 * serialised stretch short, callers append as the last step of their transaction (after
 * their own writes), what the notifications need is read before the head is locked, and
 * the events, the outbox rows and the new head are one statement: the lock is held for
 * two statements and the commit, not for the whole unit of work. A request that writes
 * several events appends them in one call (one lock, one multi-row insert).
 */
export async function appendAudit(em: SqlExecutor, entries: AuditEntry[]): Promise<AuditEventRecord[]> {
  if (entries.length === 0) return [];
  const now = new Date();
  const unsealed = entries.map((entry, i) => ({
    seq: i + 1,
    at: entry.at ?? now,
    kind: entry.kind,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    actorType: entry.actorType,
    actorId: entry.actorId,
    data: entry.data ?? null,
  }));
  // Notifications follow from the events, in the same transaction: an event and its outbox rows commit together.
  const notifications = await planNotifications(em, unsealed);

  const [head] = await em.execute<{ seq: string; hash: string }[]>('select "seq", "hash" from "audit_head" where "id" = 1 for update');
  if (!head) throw new Error('audit_head is missing: the database was not migrated');
  const base = Number(head.seq);
  let prevHash = head.hash;
  const sealed: AuditEventRecord[] = [];
  const params: unknown[] = [];
  for (const event of unsealed) {
    const { record, canonical } = sealCanonical(prevHash, { ...event, seq: base + event.seq });
    sealed.push(record);
    prevHash = record.hash;
    // The canonical text is stored as hashed; the other columns are its projections (the
    // AUDIT_CANONICAL_CHECK constraint holds them equal), kept for indexes and filters.
    params.push(record.seq, record.at, record.kind, record.subjectType, record.subjectId, record.actorType, record.actorId, JSON.stringify(record.data), canonical, record.prevHash, record.hash);
  }
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const outboxes = (notifications ?? []).map((plan) => plan.insert(base));
  // The events, their notifications and the new head in one statement: one round trip while the head is locked.
  await em.execute(
    `with "appended" as (
       insert into "audit_event" ("seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "canonical", "prev_hash", "hash")
       values ${sealed.map(() => row).join(', ')}
     )${outboxes.map((outbox, i) => `, "notified_${i}" as (${outbox.sql})`).join('')}
     update "audit_head" set "seq" = ?, "hash" = ? where "id" = 1`,
    [...params, ...outboxes.flatMap((outbox) => outbox.params), base + sealed.length, prevHash],
  );
  return sealed;
}

/**
 * Saves an entity and its audit event in one transaction: the shape of every simple
 * administrative change (create an agent, rotate a key, register a webhook...).
 */
export async function saveAudited(em: EntityManager, entity: object, entry: AuditEntry): Promise<void> {
  await em.transactional(async (tx) => {
    tx.persist(entity);
    await tx.flush();
    await appendAudit(tx, [entry]);
  });
}

export interface AuditRow {
  seq: string;
  /** A Date from PostgreSQL; a string from PGlite. */
  at: Date | string;
  kind: string;
  subject_type: string;
  subject_id: string | null;
  actor_type: string;
  actor_id: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

/** Maps a stored row to the chain's record shape. */
export function toAuditRecord(row: AuditRow): AuditEventRecord {
  return {
    seq: Number(row.seq),
    at: new Date(row.at),
    kind: row.kind,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The CHECK constraint that keeps every column of `audit_event` a projection of its
 * `canonical` text (the exact text the hash covers): the envelope fields must serialise to
 * the canonical's opening and closing members, `at` must have the millisecond precision
 * that was sealed, and `data` must be the canonical's `data`. A row whose columns disagree
 * with its canonical text cannot be written, so the chain's hashes, checked over
 * `canonical`, cover everything the API shows or filters by. Added by
 * Migration20261125000000_audit_canonical; verification checks it is still in force.
 */
export const AUDIT_CANONICAL_CHECK = 'audit_event_canonical_check';
export const AUDIT_CANONICAL_CHECK_SQL = `coalesce(
  starts_with("canonical", '{"actorId":' || coalesce(to_json("actor_id")::text, 'null') || ',"actorType":' || to_json("actor_type")::text
    || ',"at":"' || to_char("at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","data":')
  and right("canonical", char_length(',"kind":' || to_json("kind")::text || ',"seq":' || "seq" || ',"subjectId":' || coalesce(to_json("subject_id")::text, 'null') || ',"subjectType":' || to_json("subject_type")::text || '}'))
    = ',"kind":' || to_json("kind")::text || ',"seq":' || "seq" || ',"subjectId":' || coalesce(to_json("subject_id")::text, 'null') || ',"subjectType":' || to_json("subject_type")::text || '}'
  and "at" = date_trunc('milliseconds', "at")
  and ("canonical"::jsonb -> 'data') = coalesce("data", 'null'::jsonb),
  false)`;

/** The constraint's definition as this server version writes it, learnt once per version. */
const expectedCheckDefinitions = new Map<string, string>();

/**
 * Whether {@link AUDIT_CANONICAL_CHECK} is in force on `audit_event`: present, validated
 * against every row, and defined exactly as above. Compared with the definition
 * PostgreSQL gives the same expression on a scratch temporary table, so the comparison
 * does not depend on how a given PostgreSQL version prints expressions.
 */
async function canonicalCheckInForce(em: EntityManager): Promise<boolean> {
  const [row] = await em.execute<{ version: string; definition: string | null }[]>(
    `select current_setting('server_version_num') as "version",
       (select pg_get_constraintdef(c."oid") from "pg_constraint" c
         where c."conrelid" = '"audit_event"'::regclass and c."conname" = ? and c."contype" = 'c' and c."convalidated") as "definition"`,
    [AUDIT_CANONICAL_CHECK],
  );
  if (!row?.definition) return false;
  let expected = expectedCheckDefinitions.get(row.version);
  if (expected === undefined) {
    expected = await em.transactional(async (tx) => {
      await tx.execute('create temporary table "audit_event_check_probe" (like "audit_event") on commit drop');
      await tx.execute(`alter table "audit_event_check_probe" add constraint "audit_event_check_probe_check" check (${AUDIT_CANONICAL_CHECK_SQL})`);
      const [probe] = await tx.execute<{ definition: string }[]>(
        `select pg_get_constraintdef("oid") as "definition" from "pg_constraint" where "conrelid" = 'pg_temp."audit_event_check_probe"'::regclass and "contype" = 'c'`,
      );
      return probe!.definition;
    });
    expectedCheckDefinitions.set(row.version, expected);
  }
  return row.definition === expected;
}

/**
 * Walks the whole chain in `seq` order and reports the first position that does not hold
 * what the chain says it should (see {@link createChainVerifier} for what counts).
 *
 * Each event is stored with its canonical text, the exact text its hash covers, and the
 * {@link AUDIT_CANONICAL_CHECK} constraint keeps the other columns equal to it. So while
 * that constraint is in force, PostgreSQL checks the whole chain in one statement, one
 * scan in `seq` order, with no row leaving the database: `sha256(prev_hash ‖ canonical)
 * = hash`, `prev_hash` = the previous row's `hash`, and `seq` = its position. Parsing and
 * re-serialising every row in Node costs several times that scan (BENCHMARKS.md).
 *
 * If the constraint was dropped or changed (which only someone editing the schema can
 * do), the columns can no longer be trusted to match the canonical text, and the chain is
 * walked here instead, each row's columns re-serialised and compared with its text.
 */
export async function verifyAuditChain(em: EntityManager, pageSize = 20_000): Promise<ChainVerification> {
  if (!(await canonicalCheckInForce(em))) return walkAuditChain(em, pageSize);
  // One statement, so one snapshot: events appended meanwhile are either all seen (the
  // head included) or not at all. The window reads the primary key in order; `lag`'s
  // default makes the first event follow the genesis hash.
  const [row] = await em.execute<{ broken: string | null; last_seq: string | null; last_hash: string | null; head_seq: string; head_hash: string }[]>(
    `select
       (select "n" from (
          select "seq", "prev_hash", "hash", "canonical", row_number() over "w" as "n", lag("hash", 1, ?) over "w" as "expected"
          from "audit_event" window "w" as (order by "seq")
        ) "walk"
        where "seq" <> "n" or "prev_hash" <> "expected" or encode(sha256(convert_to("prev_hash" || "canonical", 'UTF8')), 'hex') <> "hash"
        order by "n" limit 1) as "broken",
       "last"."seq" as "last_seq", "last"."hash" as "last_hash", "head"."seq" as "head_seq", "head"."hash" as "head_hash"
     from "audit_head" "head"
     left join lateral (select "seq", "hash" from "audit_event" order by "seq" desc limit 1) "last" on true
     where "head"."id" = 1`,
    [GENESIS_HASH],
  );
  if (!row) throw new Error('audit_head is missing: the database was not migrated');
  if (row.broken !== null) {
    const brokenAt = Number(row.broken);
    return { valid: false, checked: brokenAt - 1, brokenAt };
  }
  // Unbroken: the events are exactly 1…last, in order.
  return headAgrees({ valid: true, checked: row.last_seq === null ? 0 : Number(row.last_seq), brokenAt: null }, row.last_hash, row);
}

/**
 * The head must point at the last stored event: events deleted from the end, or a last
 * event rewritten together with its hash, leave the two apart.
 */
function headAgrees(result: ChainVerification, lastHash: string | null, head: { head_seq: string; head_hash: string } | undefined): ChainVerification {
  if (head && result.valid) {
    if (Number(head.head_seq) > result.checked) return { valid: false, checked: result.checked, brokenAt: result.checked + 1 };
    if (result.checked > 0 && head.head_hash !== lastHash) return { valid: false, checked: result.checked, brokenAt: result.checked };
  }
  return result;
}

/**
 * The chain walked in Node, in pages read by keyset: every row's columns re-serialised and
 * compared with its stored canonical text, which must hash to its `hash`. Used only when
 * the database no longer guarantees that columns and text agree.
 */
async function walkAuditChain(em: EntityManager, pageSize: number): Promise<ChainVerification> {
  const verifier = createChainVerifier();
  let after = 0;
  let lastHash: string | null = null;
  for (;;) {
    const rows = await em.execute<(AuditRow & { canonical: string; exact_ms: boolean })[]>(
      `select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "canonical", "prev_hash", "hash",
         "at" = date_trunc('milliseconds', "at") as "exact_ms"
       from "audit_event" where "seq" > ? order by "seq" limit ?`,
      [after, pageSize],
    );
    for (const row of rows) {
      // `at` as a Date keeps milliseconds only; a column edited below that would pass unseen.
      const canonical = row.exact_ms ? row.canonical : '';
      if (!verifier.push(toAuditRecord(row), canonical)) return verifier.result();
    }
    if (rows.length > 0) lastHash = rows[rows.length - 1]!.hash;
    if (rows.length < pageSize) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  const [head] = await em.execute<{ head_seq: string; head_hash: string }[]>('select "seq" as "head_seq", "hash" as "head_hash" from "audit_head" where "id" = 1');
  return headAgrees(verifier.result(), lastHash, head);
}
