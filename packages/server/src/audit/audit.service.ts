import type { EntityManager } from '@mikro-orm/postgresql';
import { sealEvent, createChainVerifier, type AuditEventRecord, type ChainVerification } from './chain.js';
import { enqueueNotifications } from '../notifications/outbox.js';
import type { SqlExecutor } from '../db/sql.js';

/** What a state change records about itself; the chain fields are filled in here. */
export interface AuditEntry {
  kind: string;
  subjectType: string;
  subjectId: string | null;
  actorType: string;
  actorId: string | null;
  data?: unknown;
  at?: Date;
}

/**
 * Appends audit events to the hash chain inside the caller's transaction.
 *
 * How concurrent writers share the chain head: every append locks the single
 * `audit_head` row (`SELECT … FOR UPDATE`), assigns the next `seq`s and hashes in memory,
 * inserts the events and advances the head, and the lock is released by the caller's
 * COMMIT. That serialises appenders across all instances — the price of a strict,
 * gap-free sequence in which a deleted or reordered event is detectable. To keep the
 * serialised stretch short, callers append as the last step of their transaction (after
 * their own writes), so the lock is held for two statements and the commit, not for the
 * whole unit of work. A request that writes several events appends them in one call (one
 * lock, one multi-row insert).
 */
export async function appendAudit(em: SqlExecutor, entries: AuditEntry[]): Promise<AuditEventRecord[]> {
  if (entries.length === 0) return [];
  const [head] = await em.execute<{ seq: string; hash: string }[]>('select "seq", "hash" from "audit_head" where "id" = 1 for update');
  if (!head) throw new Error('audit_head is missing: the database was not migrated');
  let prevHash = head.hash;
  let seq = Number(head.seq);
  const now = new Date();
  const sealed: AuditEventRecord[] = [];
  for (const entry of entries) {
    seq += 1;
    const record = sealEvent(prevHash, {
      seq,
      at: entry.at ?? now,
      kind: entry.kind,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      actorType: entry.actorType,
      actorId: entry.actorId,
      data: entry.data ?? null,
    });
    sealed.push(record);
    prevHash = record.hash;
  }
  const params: unknown[] = [];
  for (const e of sealed) {
    params.push(e.seq, e.at, e.kind, e.subjectType, e.subjectId, e.actorType, e.actorId, JSON.stringify(e.data), e.prevHash, e.hash);
  }
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  // The events and the new head in one statement: one round trip while the head is locked.
  await em.execute(
    `with "appended" as (
       insert into "audit_event" ("seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "prev_hash", "hash")
       values ${sealed.map(() => row).join(', ')}
     )
     update "audit_head" set "seq" = ?, "hash" = ? where "id" = 1`,
    [...params, seq, prevHash],
  );
  // Notifications follow from the events, in the same transaction: an event and its outbox rows commit together.
  await enqueueNotifications(em, sealed);
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
 * Walks the whole chain in `seq` order, in pages read by keyset, checking every link.
 * Reads in large pages because verification speed is bound by fetching, not hashing.
 */
export async function verifyAuditChain(em: EntityManager, pageSize = 20_000): Promise<ChainVerification> {
  const verifier = createChainVerifier();
  let after = 0;
  let lastHash: string | null = null;
  for (;;) {
    const rows = await em.execute<AuditRow[]>(
      'select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "prev_hash", "hash" from "audit_event" where "seq" > ? order by "seq" limit ?',
      [after, pageSize],
    );
    for (const row of rows) {
      if (!verifier.push(toAuditRecord(row))) return verifier.result();
    }
    if (rows.length > 0) lastHash = rows[rows.length - 1]!.hash;
    if (rows.length < pageSize) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  // The head must point at the last stored event: events deleted from the end, or a last
  // event rewritten together with its hash, leave the two apart.
  const [head] = await em.execute<{ seq: string; hash: string }[]>('select "seq", "hash" from "audit_head" where "id" = 1');
  const result = verifier.result();
  if (head && result.valid) {
    if (Number(head.seq) > result.checked) return { valid: false, checked: result.checked, brokenAt: result.checked + 1 };
    if (result.checked > 0 && head.hash !== lastHash) return { valid: false, checked: result.checked, brokenAt: result.checked };
  }
  return result;
}
