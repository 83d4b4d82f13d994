import { createHash } from 'node:crypto';
import type { SqlExecutor } from '../db/sql.js';
import type { AuditEntry } from '../audit/entry.js';

/**
 * The id of the approver set with exactly these members, whatever their order: a UUID
 * (version 8, RFC 9562: custom) made of the first 122 bits of the SHA-256 of the sorted ids.
 * The same people always make the same id, so a set is stored once and never changes.
 */
export function approverSetId(memberIds: readonly string[]): string {
  const digest = createHash('sha256').update([...memberIds].sort().join(',')).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A set stored (or found stored) for an assignment, and the audit entry that records it if it is new. */
export interface StoredSet {
  id: string;
  /** APPROVER_SET_RECORDED, when this transaction stored the set first; to append before the events that refer to it. */
  audit: AuditEntry | null;
}

/**
 * The approver sets of one database (escalation/assignment.entity.ts: ApproverSet), with
 * the ids this instance has seen committed, so that the common case — the same role's
 * holders, assigned request after request — costs no statement at all.
 *
 * A set not known yet is inserted with `on conflict do nothing`. When that inserts nothing,
 * the row exists and is committed (a conflicting insert still in flight is waited for; had
 * it rolled back, ours would have inserted), so the id is remembered. When it inserts, the
 * row belongs to this transaction, which could still roll back: the id is not remembered
 * until a later transaction finds it. Sets are never deleted.
 */
export class ApproverSets {
  private readonly committed = new Set<string>();

  /** Stores the set of `memberIds` unless it is known to be stored; `id` is {@link approverSetId} of them, if already computed. */
  async store(tx: SqlExecutor, memberIds: readonly string[], at: Date, id = approverSetId(memberIds)): Promise<StoredSet> {
    if (this.committed.has(id)) return { id, audit: null };
    const sorted = [...memberIds].sort();
    // The array goes as one text literal: an EntityManager's `execute` (knex) would expand an
    // array parameter into a list of parameters.
    const inserted = await tx.execute<{ id: string }[]>(
      `insert into "approver_set" ("id", "member_ids", "size", "created_at") values (?, ?::uuid[], ?, ?) on conflict ("id") do nothing returning "id"`,
      [id, `{${sorted.join(',')}}`, sorted.length, at],
    );
    if (inserted.length === 0) {
      this.committed.add(id);
      return { id, audit: null };
    }
    return {
      id,
      audit: {
        kind: 'APPROVER_SET_RECORDED', subjectType: 'APPROVER_SET', subjectId: id, actorType: 'SYSTEM', actorId: null, at,
        data: { size: sorted.length, members: sorted },
      },
    };
  }
}
