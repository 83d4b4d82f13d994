import { hash } from 'node:crypto';

// The tamper-evident audit trail (DESIGN §2 step 12). Each event's `hash` is
// `sha256(prevHash ‖ canonical event)` in lowercase hex, where `‖` concatenates the
// previous hash (64 hex characters) and the event's RFC 8785 JSON, hashed as UTF-8.
// Changing, deleting or reordering a stored event breaks the chain from that point on.
//
// Each event is stored with this canonical text (`audit_event.canonical`, see
// audit.service.ts), so `verifyAuditChain` checks `sha256(prevHash ‖ stored text)` inside
// PostgreSQL without re-serialising anything. The serialisation here is still what seals
// every event, and what the verifier falls back to if the database stops guaranteeing
// that the columns equal the text: one one-shot `crypto.hash` per event and one
// serialisation, by hand, with no intermediate object (faster than the `canonicalize`
// package with `createHash`; BENCHMARKS.md).

/** The `prevHash` of the first event: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * One stored audit event. `seq` runs 1, 2, 3… with no gaps: assign it as the last `seq`
 * + 1 under the append lock, not from a database sequence, which skips a number whenever
 * a transaction rolls back, and a gap reads as a deleted event.
 */
export type AuditEventRecord = {
  seq: number;
  at: Date | string;
  kind: string;
  subjectType: string;
  subjectId: string | null;
  actorType: string;
  actorId: string | null;
  data: unknown;
  prevHash: string;
  hash: string;
};

/** An event before it joins the chain. */
export type UnsealedAuditEvent = Omit<AuditEventRecord, 'prevHash' | 'hash'>;

/** What {@link createChainVerifier} concludes, as `verifyAuditChain` reports it. */
export type ChainVerification = {
  valid: boolean;
  /** How many events were found intact, in order, before the first break (if any). */
  checked: number;
  /** The `seq` of the first position that does not hold what the chain says it should. */
  brokenAt: number | null;
};

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The RFC 8785 JSON of everything an event says — `seq`, `at` (as an ISO 8601 string),
 * `kind`, `subjectType`, `subjectId`, `actorType`, `actorId` and `data` — but not its
 * `prevHash` or `hash`, which are derived from it. `data` that is `undefined` counts as
 * `null`, as it comes back from a JSON column. A string `at` is normalised through
 * `Date`, so `…T10:00:00Z` read back from the database hashes as the `…T10:00:00.000Z`
 * that was sealed.
 *
 * @throws RangeError when `at` is not a valid date or `data` holds a non-finite number;
 *   TypeError when `data` holds a bigint.
 */
export function canonicalAuditEvent(e: UnsealedAuditEvent): string {
  const at = (typeof e.at === 'string' ? new Date(e.at) : e.at).toISOString();
  // The envelope's keys are fixed, so they are written in RFC 8785 order by hand
  // (a test holds this equal to canonicalising the whole event as one object).
  return (
    `{"actorId":${JSON.stringify(e.actorId)},"actorType":${JSON.stringify(e.actorType)},"at":"${at}",` +
    `"data":${canonicalJson(e.data ?? null)},"kind":${JSON.stringify(e.kind)},"seq":${canonicalJson(e.seq)},` +
    `"subjectId":${JSON.stringify(e.subjectId)},"subjectType":${JSON.stringify(e.subjectType)}}`
  );
}

/** `sha256(prevHash ‖ canonical)` as lowercase hex: the link from one event to the next. */
export function chainHash(prevHash: string, canonical: string): string {
  return hash('sha256', prevHash + canonical, 'hex');
}

/** A sealed event together with the exact text its hash covers, as it is stored. */
export type SealedAuditEvent = { record: AuditEventRecord; canonical: string };

/**
 * Links a new event onto the chain after the event whose hash is `prevHash`
 * ({@link GENESIS_HASH} for the first one). The caller must append under a lock that
 * serialises writers, so two events never claim the same predecessor.
 *
 * @throws TypeError when the link cannot verify: `seq` is not a whole number from 1,
 *   `prevHash` is not 64 lowercase hex characters, or the genesis hash is not used for
 *   exactly `seq` 1 (the sign of a writer that failed to read the last event).
 */
export function sealEvent(prevHash: string, unsealed: UnsealedAuditEvent): AuditEventRecord {
  return sealCanonical(prevHash, unsealed).record;
}

/**
 * {@link sealEvent}, also answering the event's canonical text: what is stored in
 * `audit_event.canonical` next to the event, so that verifying needs no re-serialising.
 */
export function sealCanonical(prevHash: string, unsealed: UnsealedAuditEvent): SealedAuditEvent {
  const { seq } = unsealed;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new TypeError(`seq must be a whole number from 1, got ${seq}`);
  if (!HEX_HASH.test(prevHash)) throw new TypeError(`prevHash must be 64 lowercase hex characters, got ${prevHash}`);
  if ((seq === 1) !== (prevHash === GENESIS_HASH)) {
    throw new TypeError(`event ${seq} cannot follow ${prevHash}: only event 1 follows the genesis hash`);
  }
  const canonical = canonicalAuditEvent(unsealed);
  return { record: { ...unsealed, prevHash, hash: chainHash(prevHash, canonical) }, canonical };
}

/** An incremental check of a chain read in `seq` order, a page at a time. */
export type ChainVerifier = {
  /**
   * Checks the next event; `false` once the chain is broken (later events are ignored).
   * With `canonical` (the text stored next to the event), the hash is checked over that
   * text, and the event's fields must serialise to exactly it.
   */
  push(record: AuditEventRecord, canonical?: string): boolean;
  result(): ChainVerification;
};

/**
 * Verifies a chain event by event, so the caller can stream the whole history from the
 * database in pages without holding it in memory.
 *
 * `start` is a trusted checkpoint — the `seq` and `hash` of the last event already known
 * to be good — to verify only what came after it; by default the chain starts at
 * genesis (the first event must be `seq` 1 with `prevHash` {@link GENESIS_HASH}).
 *
 * The first position that does not hold the expected event is reported as `brokenAt`:
 * - a changed event: its stored hash is not the hash of its content → its `seq`;
 * - a deleted event: the next `seq` skips → the first missing `seq`; if the rest was
 *   renumbered to hide the gap, the event now at that position names the wrong `prevHash`;
 * - reordered events: a `seq` out of order, or a `prevHash` that is not the hash of the
 *   event before → the position where the order first breaks.
 *
 * A chain rewritten wholesale from some point on (every later hash recomputed) still
 * verifies: only a checkpoint kept elsewhere can catch that.
 */
export function createChainVerifier(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }): ChainVerifier {
  let expectedSeq = start.seq + 1;
  let expectedPrevHash = start.hash;
  let checked = 0;
  let brokenAt: number | null = null;

  return {
    push(record, canonical) {
      if (brokenAt !== null) return false;
      if (record.seq !== expectedSeq || record.prevHash !== expectedPrevHash || !hashMatches(record, canonical)) {
        brokenAt = expectedSeq;
        return false;
      }
      checked += 1;
      expectedSeq += 1;
      expectedPrevHash = record.hash;
      return true;
    },
    result: () => ({ valid: brokenAt === null, checked, brokenAt }),
  };
}

function hashMatches(record: AuditEventRecord, stored?: string): boolean {
  let canonical: string;
  try {
    canonical = canonicalAuditEvent(record);
  } catch {
    // An event that cannot even be serialised (an invalid date) was not sealed as it is.
    return false;
  }
  if (stored !== undefined && stored !== canonical) return false;
  return chainHash(record.prevHash, canonical) === record.hash;
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: object members sorted by UTF-16
 * code units, no whitespace, primitives as ECMAScript `JSON.stringify` writes them.
 * It gives the same text as the `canonicalize` package (a test holds them equal), with
 * plain loops instead of its `reduce`: serialising `data` is the largest cost of a check.
 */
function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value);
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return canonicalJson((value as { toJSON(): unknown }).toJSON());
      }
      return canonicalObject(value as Record<string, unknown>);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new TypeError(`a value of type ${typeof value} has no JSON form`);
  }
}

function canonicalArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += hasJsonForm(items[i]) ? canonicalJson(items[i]) : 'null';
  }
  return out + ']';
}

function canonicalObject(record: Record<string, unknown>): string {
  let out = '{';
  for (const key of sortedKeys(record)) {
    const member = record[key];
    if (!hasJsonForm(member)) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return out + '}';
}

/**
 * `Object.keys` in RFC 8785 order. Events carry small objects, where an insertion sort
 * beats `Array.prototype.sort` by enough to matter here; both compare UTF-16 code units.
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/** Values JSON drops from objects and writes as `null` in arrays. */
function hasJsonForm(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
