import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalAuditEvent,
  chainHash,
  createChainVerifier,
  sealCanonical,
  sealEvent,
  type AuditEventRecord,
  type UnsealedAuditEvent,
} from './chain.js';

// The reference RFC 8785 implementation, as an oracle (see receipt.ts for the cast).
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

const T0 = Date.parse('2025-03-01T09:00:00.000Z');

function eventAt(seq: number, data: unknown = { verdict: 'APPROVE', level: 1 }): UnsealedAuditEvent {
  return {
    seq,
    at: new Date(T0 + seq * 1000),
    kind: 'ACTION_DECIDED',
    subjectType: 'ActionRequest',
    subjectId: `act_${seq}`,
    actorType: 'APPROVER',
    actorId: `apr_${seq % 3}`,
    data,
  };
}

function buildChain(length: number): AuditEventRecord[] {
  const chain: AuditEventRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const sealed = sealEvent(prevHash, eventAt(seq));
    chain.push(sealed);
    prevHash = sealed.hash;
  }
  return chain;
}

function verify(records: readonly AuditEventRecord[], start?: { seq: number; hash: string }) {
  const verifier = createChainVerifier(start);
  for (const record of records) verifier.push(record);
  return verifier.result();
}

describe('canonicalAuditEvent', () => {
  it.each([
    ['nested objects and arrays', { amount: { value: 1200.5, currency: 'EUR' }, assignees: ['b', 'a'], ok: true }],
    ['keys that sort by UTF-16 code units', { é: 1, a: 2, B: 3, _: 4, '10': 5, '2': 6, '😀': 7, 'ﬀ': 8, '': 9 }],
    ['numbers in their shortest form', { big: 1e21, small: 5e-7, tenth: 0.1, negZero: -0, int: 42, neg: -3.25 }],
    ['strings that need escaping', { quote: 'say "hi"', slash: 'a\\b', ctrl: '\u0001\n\t', uni: 'naïve ✓' }],
    ['undefined members and array slots', { gone: undefined, kept: [undefined, 1] }],
    ['dates inside the data', { due: new Date('2025-03-02T00:00:00.000Z') }],
    ['a bare string', 'free text'],
    ['an empty object', {}],
    ['deep nesting', { a: { b: { c: { d: [{ z: 1, y: [null, { x: false }] }] } } } }],
  ])('should match RFC 8785 of the whole event for data with %s', (_label, data) => {
    const event = { ...eventAt(7, data), subjectId: null, actorId: null };
    const { at, ...rest } = event;
    expect(canonicalAuditEvent(event)).toBe(canonicalize({ ...rest, at: (at as Date).toISOString() }));
  });

  it('should leave prevHash and hash out of what is hashed', () => {
    const [sealed] = buildChain(1);
    expect(canonicalAuditEvent(sealed)).toBe(canonicalAuditEvent({ ...sealed, prevHash: 'x', hash: 'y' } as AuditEventRecord));
    expect(canonicalAuditEvent(sealed)).not.toContain('prevHash');
  });

  it('should read the same event back from the database the same way', () => {
    const sealed = eventAt(3, { b: 1, a: 2 });
    const reloaded = { ...sealed, at: '2025-03-01T09:00:03Z', data: { a: 2, b: 1 } };
    expect(canonicalAuditEvent(reloaded)).toBe(canonicalAuditEvent(sealed));
  });

  it('should leave out functions as JSON.stringify does', () => {
    // (The canonicalize package writes `"fn":undefined` here, which is not JSON.)
    expect(canonicalAuditEvent(eventAt(1, { fn: () => 1, kept: [() => 2, 1] }))).toContain('"data":{"kept":[null,1]}');
  });

  it('should treat missing data as null, as a JSON column returns it', () => {
    const missing = { ...eventAt(1), data: undefined };
    expect(canonicalAuditEvent(missing)).toBe(canonicalAuditEvent({ ...eventAt(1), data: null }));
    expect(canonicalAuditEvent(missing)).toContain('"data":null');
  });

  it('should refuse data JSON cannot carry', () => {
    expect(() => canonicalAuditEvent(eventAt(1, { amount: Number.NaN }))).toThrow(RangeError);
    expect(() => canonicalAuditEvent(eventAt(1, { amount: 10n }))).toThrow(TypeError);
  });
});

describe('chainHash', () => {
  it('should be the lowercase hex SHA-256 of the previous hash followed by the event', () => {
    const canonical = canonicalAuditEvent(eventAt(1));
    const expected = createHash('sha256').update(GENESIS_HASH + canonical, 'utf8').digest('hex');
    expect(chainHash(GENESIS_HASH, canonical)).toBe(expected);
    expect(chainHash(GENESIS_HASH, canonical)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should depend on the previous hash, so an event cannot be moved elsewhere in the chain', () => {
    const canonical = canonicalAuditEvent(eventAt(1));
    expect(chainHash('1'.repeat(64), canonical)).not.toBe(chainHash(GENESIS_HASH, canonical));
  });
});

describe('sealEvent', () => {
  it('should link the event to the hash before it', () => {
    const first = sealEvent(GENESIS_HASH, eventAt(1));
    const second = sealEvent(first.hash, eventAt(2));
    expect(first).toEqual({ ...eventAt(1), prevHash: GENESIS_HASH, hash: chainHash(GENESIS_HASH, canonicalAuditEvent(eventAt(1))) });
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(chainHash(first.hash, canonicalAuditEvent(eventAt(2))));
  });

  it('should refuse a link that could never verify', () => {
    const [first] = buildChain(1);
    expect(() => sealEvent(first.hash.toUpperCase(), eventAt(2))).toThrow(/64 lowercase hex/);
    expect(() => sealEvent(GENESIS_HASH, eventAt(0))).toThrow(/whole number from 1/);
    expect(() => sealEvent(GENESIS_HASH, eventAt(1.5))).toThrow(/whole number from 1/);
  });

  it('should refuse to start the chain anywhere but at event 1', () => {
    const [first] = buildChain(1);
    expect(() => sealEvent(GENESIS_HASH, eventAt(57))).toThrow(/only event 1 follows the genesis hash/);
    expect(() => sealEvent(first.hash, eventAt(1))).toThrow(/only event 1 follows the genesis hash/);
  });
});

describe('sealCanonical', () => {
  it('should answer the sealed event and exactly the text its hash covers', () => {
    const { record, canonical } = sealCanonical(GENESIS_HASH, eventAt(1));
    expect(record).toEqual(sealEvent(GENESIS_HASH, eventAt(1)));
    expect(canonical).toBe(canonicalAuditEvent(eventAt(1)));
    expect(chainHash(GENESIS_HASH, canonical)).toBe(record.hash);
  });
});

describe('createChainVerifier with the stored canonical text', () => {
  function verifyStored(events: { record: AuditEventRecord; canonical: string }[]) {
    const verifier = createChainVerifier();
    for (const e of events) verifier.push(e.record, e.canonical);
    return verifier.result();
  }
  function buildStored(length: number) {
    const out: { record: AuditEventRecord; canonical: string }[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= length; seq++) {
      const sealed = sealCanonical(prevHash, eventAt(seq));
      out.push(sealed);
      prevHash = sealed.record.hash;
    }
    return out;
  }

  it('should accept an intact chain', () => {
    expect(verifyStored(buildStored(10))).toEqual({ valid: true, checked: 10, brokenAt: null });
  });

  it('should report a field changed alone, though the text still hashes', () => {
    const chain = buildStored(10);
    chain[3] = { ...chain[3]!, record: { ...chain[3]!.record, kind: 'NOTHING' } };
    expect(verifyStored(chain)).toEqual({ valid: false, checked: 3, brokenAt: 4 });
  });

  it('should report the text changed alone, though the fields still hash', () => {
    const chain = buildStored(10);
    chain[3] = { ...chain[3]!, canonical: chain[3]!.canonical.replace('"data":{', '"data":{ ') };
    expect(verifyStored(chain)).toEqual({ valid: false, checked: 3, brokenAt: 4 });
  });
});

describe('createChainVerifier', () => {
  it('should accept an intact chain and count every event', () => {
    expect(verify(buildChain(50))).toEqual({ valid: true, checked: 50, brokenAt: null });
  });

  it('should accept an empty chain', () => {
    expect(verify([])).toEqual({ valid: true, checked: 0, brokenAt: null });
  });

  it('should accept events read back from the database with other key orders and string dates', () => {
    const reloaded = buildChain(5).map((r) => ({ ...r, at: (r.at as Date).toISOString(), data: { level: 1, verdict: 'APPROVE' } }));
    expect(verify(reloaded)).toEqual({ valid: true, checked: 5, brokenAt: null });
  });

  it('should report a changed event at its own seq', () => {
    const chain = buildChain(10);
    chain[6] = { ...chain[6], data: { verdict: 'DENY', level: 1 } };
    expect(verify(chain)).toEqual({ valid: false, checked: 6, brokenAt: 7 });
  });

  it('should report a changed event whose hash was recomputed at the next event, which no longer links to it', () => {
    const chain = buildChain(10);
    chain[6] = sealEvent(chain[6].prevHash, { ...eventAt(7), actorId: 'apr_mallory' });
    expect(verify(chain)).toEqual({ valid: false, checked: 7, brokenAt: 8 });
  });

  it('should report a changed timestamp', () => {
    const chain = buildChain(10);
    chain[2] = { ...chain[2], at: new Date(T0) };
    expect(verify(chain).brokenAt).toBe(3);
  });

  it('should report a deleted event at the first missing seq', () => {
    const chain = buildChain(10);
    chain.splice(3, 2);
    expect(verify(chain)).toEqual({ valid: false, checked: 3, brokenAt: 4 });
  });

  it('should report a deleted event even when later events were renumbered to hide the gap', () => {
    const chain = buildChain(10);
    chain.splice(3, 1);
    const renumbered = chain.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verify(renumbered)).toEqual({ valid: false, checked: 3, brokenAt: 4 });
  });

  it('should report swapped events where the order first breaks', () => {
    const chain = buildChain(10);
    [chain[2], chain[3]] = [chain[3], chain[2]];
    expect(verify(chain)).toEqual({ valid: false, checked: 2, brokenAt: 3 });
  });

  it('should report swapped events even when their seqs were swapped back', () => {
    const chain = buildChain(10);
    [chain[2], chain[3]] = [
      { ...chain[3], seq: 3 },
      { ...chain[2], seq: 4 },
    ];
    expect(verify(chain)).toEqual({ valid: false, checked: 2, brokenAt: 3 });
  });

  it('should report a chain sealed with a seq out of step, as a writer that skipped one would', () => {
    const first = sealEvent(GENESIS_HASH, eventAt(1));
    const second = sealEvent(first.hash, eventAt(2));
    const fourth = sealEvent(second.hash, eventAt(4));
    expect(verify([first, second, fourth])).toEqual({ valid: false, checked: 2, brokenAt: 3 });
  });

  it('should report an event inserted twice', () => {
    const chain = buildChain(10);
    chain.splice(5, 0, chain[4]);
    expect(verify(chain)).toEqual({ valid: false, checked: 5, brokenAt: 6 });
  });

  it('should report a chain that does not start at genesis', () => {
    expect(verify(buildChain(10).slice(1)).brokenAt).toBe(1);
  });

  it('should report an event that cannot be read as a date instead of throwing', () => {
    const chain = buildChain(3);
    chain[1] = { ...chain[1], at: 'not a date' };
    expect(verify(chain)).toEqual({ valid: false, checked: 1, brokenAt: 2 });
  });

  it('should stop at the first break and ignore everything after it', () => {
    const chain = buildChain(10);
    chain[2] = { ...chain[2], kind: 'ACTION_CANCELLED' };
    chain.splice(6, 1);
    const verifier = createChainVerifier();
    const accepted = chain.map((record) => verifier.push(record));
    expect(accepted).toEqual([true, true, false, false, false, false, false, false, false]);
    expect(verifier.result()).toEqual({ valid: false, checked: 2, brokenAt: 3 });
  });

  it('should verify only what came after a trusted checkpoint', () => {
    const chain = buildChain(10);
    const checkpoint = { seq: chain[5].seq, hash: chain[5].hash };
    expect(verify(chain.slice(6), checkpoint)).toEqual({ valid: true, checked: 4, brokenAt: null });
  });

  it('should reject events that do not follow the checkpoint', () => {
    const chain = buildChain(10);
    expect(verify(chain.slice(6), { seq: 6, hash: chain[4].hash }).brokenAt).toBe(7);
    expect(verify(chain.slice(7), { seq: 6, hash: chain[5].hash }).brokenAt).toBe(7);
  });

  it('should verify a hundred thousand events and find one changed deep inside', () => {
    const chain = buildChain(100_000);
    expect(verify(chain)).toEqual({ valid: true, checked: 100_000, brokenAt: null });

    chain[77_776] = { ...chain[77_776], subjectId: 'act_elsewhere' };
    expect(verify(chain)).toEqual({ valid: false, checked: 77_776, brokenAt: 77_777 });
  });
});
