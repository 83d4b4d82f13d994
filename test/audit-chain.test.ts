import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startServer, createAgent, type TestServer } from './support/server.js';
import { gqlOk } from './support/graphql.js';
import { canonicalAuditEvent, sealEvent, type UnsealedAuditEvent } from '../packages/server/dist/audit/chain.js';
import { AUDIT_CANONICAL_CHECK_SQL } from '../packages/server/dist/audit/audit.service.js';

// Each audit event is stored with its canonical text (what its hash covers); a CHECK
// constraint keeps the other columns equal to that text, and verification relies on it.
// These tests tamper with the columns and the text separately, with and without that
// constraint, and upgrade a database whose events were written before the text existed.

const VERIFY = '{ verifyAuditChain { valid checked brokenAt } }';
const MIGRATION = 'Migration20261125020000_audit_canonical';

describe('the audit chain, stored as its canonical text', () => {
  let database: TestDatabase;
  let server: TestServer;
  const verify = async () => (await gqlOk(server.url, VERIFY, {}, server.adminToken)).verifyAuditChain;
  const trail = async (subjectId: string) =>
    (await gqlOk(server.url, 'query($f: AuditFilter) { auditLog(filter: $f) { totalCount nodes { seq kind data } } }', { f: { subjectId } }, server.adminToken)).auditLog;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database });
    for (let i = 0; i < 6; i++) await createAgent(server, `agent-${i}`);
  });
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
  });

  it('refuses an edit to a column alone, and finds it once the constraint is dropped', async () => {
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });
    const [event] = await database.query<{ seq: string; kind: string; subject_id: string }>('select seq, kind, subject_id from audit_event where seq = 3');
    // Hiding event 3 from a filter on its subject or its kind: the database refuses.
    await expect(database.query(`update audit_event set subject_id = 'elsewhere' where seq = 3`)).rejects.toThrow(/audit_event_canonical_check/);
    await expect(database.query(`update audit_event set kind = 'NOTHING' where seq = 3`)).rejects.toThrow(/audit_event_canonical_check/);
    await expect(database.query(`update audit_event set at = at - interval '1 day' where seq = 3`)).rejects.toThrow(/audit_event_canonical_check/);
    await expect(database.query(`update audit_event set data = '{"name":"mallory"}' where seq = 3`)).rejects.toThrow(/audit_event_canonical_check/);

    // Someone who can change the schema drops the constraint first: verification notices.
    await database.query('alter table audit_event drop constraint audit_event_canonical_check');
    await database.query(`update audit_event set subject_id = 'elsewhere' where seq = 3`);
    expect((await trail(event!.subject_id)).totalCount).toBe(0);
    expect(await verify()).toMatchObject({ valid: false, checked: 2, brokenAt: 3 });
    await database.query(`update audit_event set subject_id = $1 where seq = 3`, [event!.subject_id]);
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });

    // A weaker constraint under the same name is no constraint.
    await database.query('alter table audit_event add constraint audit_event_canonical_check check (true)');
    await database.query(`update audit_event set data = jsonb_set(data, '{name}', '"mallory"') where seq = 4`);
    expect(await verify()).toMatchObject({ valid: false, checked: 3, brokenAt: 4 });
    await database.query(`update audit_event set data = ((canonical::jsonb) -> 'data') where seq = 4`);
    await database.query('alter table audit_event drop constraint audit_event_canonical_check');

    // Put back, the constraint is enforced and trusted again.
    await database.query(`alter table audit_event add constraint audit_event_canonical_check check (${AUDIT_CANONICAL_CHECK_SQL})`);
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });
    await expect(database.query(`update audit_event set kind = 'NOTHING' where seq = 3`)).rejects.toThrow(/audit_event_canonical_check/);
  });

  it('finds an edit to the canonical text alone', async () => {
    // Whitespace inside `data` leaves every column's meaning equal, so the constraint
    // accepts it; the text is no longer what was hashed.
    await database.query(`update audit_event set canonical = replace(canonical, '"data":{', '"data":{ ') where seq = 5`);
    expect(await verify()).toMatchObject({ valid: false, checked: 4, brokenAt: 5 });
    await database.query(`update audit_event set canonical = replace(canonical, '"data":{ ', '"data":{') where seq = 5`);
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });
  });

  it('finds the last event rewritten together with its hash, and events deleted from the end', async () => {
    const [last] = await database.query<{ seq: string; data: unknown; canonical: string; hash: string }>('select seq, data, canonical, hash from audit_event order by seq desc limit 1');
    const n = Number(last!.seq);
    // A consistent rewrite of the last event, its hash recomputed: only the head disagrees.
    const rewritten = `replace(canonical, '"data":{', '"data":{ ')`;
    await database.query(`update audit_event set canonical = ${rewritten}, hash = encode(sha256(convert_to(prev_hash || ${rewritten}, 'UTF8')), 'hex') where seq = $1`, [n]);
    expect(await verify()).toMatchObject({ valid: false, brokenAt: n });
    await database.query('update audit_event set data = $2, canonical = $3, hash = $4 where seq = $1', [n, JSON.stringify(last!.data), last!.canonical, last!.hash]);
    expect(await verify()).toMatchObject({ valid: true, checked: n });

    const [saved] = await database.query('select * from audit_event where seq = $1', [n]);
    await database.query('delete from audit_event where seq = $1', [n]);
    expect(await verify()).toMatchObject({ valid: false, checked: n - 1, brokenAt: n });
    await database.query('insert into audit_event select * from jsonb_populate_record(null::audit_event, $1::jsonb)', [JSON.stringify(saved)]);
    expect(await verify()).toMatchObject({ valid: true, checked: n });
  });

  it('stores a large event compressed (lz4 where PostgreSQL has it), whole, and finds an edit inside it', async () => {
    // Large events (an assignment naming a role's thousand holders) are compressed as they are appended.
    const tags = Array.from({ length: 300 }, (_, i) => `cost-centre-${String(i).padStart(4, '0')}`);
    const agent = await createAgent(server, 'agent-with-many-tags', { tags });
    const [event] = await database.query<{ seq: string; compression: string | null; data: { tags: string[] }; lz4: boolean }>(
      `select seq, pg_column_compression(canonical) as compression, data,
         exists(select 1 from pg_attribute where attrelid = 'audit_event'::regclass and attname = 'canonical' and attcompression = 'l') as lz4
       from audit_event where subject_id = $1 and kind = 'AGENT_CREATED'`,
      [agent.id],
    );
    expect(event!.compression).toBe(event!.lz4 ? 'lz4' : 'pglz');
    expect(event!.data.tags).toEqual(tags);
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });
    const n = Number(event!.seq);
    // A space in the middle of the compressed text: every column still means the same, the text is not what was hashed.
    await database.query(`update audit_event set canonical = replace(canonical, '"cost-centre-0150",', '"cost-centre-0150", ') where seq = $1`, [n]);
    expect(await verify()).toMatchObject({ valid: false, checked: n - 1, brokenAt: n });
    await database.query(`update audit_event set canonical = replace(canonical, '"cost-centre-0150", ', '"cost-centre-0150",') where seq = $1`, [n]);
    expect(await verify()).toMatchObject({ valid: true, brokenAt: null });
  });
});

describe('a database whose audit events were written before their canonical text was stored', () => {
  let database: TestDatabase;
  let server: TestServer | undefined;
  const tricky: unknown[] = [
    { quote: 'say "hi"\\ back', newline: 'a\nb\tc', control: '\u0001', accents: 'Zürich ñ 東京 😀', b: 1, a: [1, 0.1, 1e21, -5, null, true] },
    { z: { y: { x: [] } }, empty: {}, big: 9007199254740991, small: 1e-7 },
    null,
    ['x', { b: 2, a: 1 }],
    'just a string',
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database });
    await createAgent(server, 'before-the-upgrade');
    await server.dispose();
    server = undefined;
    // Back to the schema before the migration, and events appended as the server then did.
    await database.query('alter table audit_event drop constraint audit_event_canonical_check');
    await database.query('alter table audit_event drop column canonical');
    await database.query('delete from mikro_orm_migrations where name = $1', [MIGRATION]);
    let [head] = await database.query<{ seq: string; hash: string }>('select seq, hash from audit_head where id = 1');
    let prevHash = head!.hash;
    let seq = Number(head!.seq);
    for (const data of tricky) {
      seq += 1;
      const unsealed: UnsealedAuditEvent = { seq, at: new Date(), kind: 'OLD_EVENT', subjectType: 'TEST', subjectId: `old-${seq}`, actorType: 'SYSTEM', actorId: null, data };
      const e = sealEvent(prevHash, unsealed);
      await database.query(
        `insert into audit_event (seq, at, kind, subject_type, subject_id, actor_type, actor_id, data, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [e.seq, e.at, e.kind, e.subjectType, e.subjectId, e.actorType, e.actorId, JSON.stringify(e.data), e.prevHash, e.hash],
      );
      prevHash = e.hash;
    }
    await database.query('update audit_head set seq = $1, hash = $2 where id = 1', [seq, prevHash]);
    [head] = await database.query<{ seq: string; hash: string }>('select seq, hash from audit_head where id = 1');
    expect(Number(head!.seq)).toBe(seq);
  });
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
  });

  it('backfills every text on upgrade, keeps the verdicts, and goes on appending', async () => {
    // An event edited before the upgrade stays found after it.
    const [victim] = await database.query<{ seq: string }>(`select seq from audit_event where kind = 'OLD_EVENT' order by seq limit 1 offset 1`);
    const v = Number(victim!.seq);
    await database.query(`update audit_event set data = '{"forged":true}' where seq = $1`, [v]);

    server = await startServer({ database });
    expect((await gqlOk(server.url, VERIFY, {}, server.adminToken)).verifyAuditChain).toMatchObject({ valid: false, checked: v - 1, brokenAt: v });
    const [nulls] = await database.query<{ n: number }>('select count(*)::int as n from audit_event where canonical is null');
    expect(nulls!.n).toBe(0);

    // Put the original back, text and column together.
    const [row] = await database.query<{ at: Date; subject_id: string }>('select at, subject_id from audit_event where seq = $1', [v]);
    const original = tricky[1];
    const canonical = canonicalAuditEvent({ seq: v, at: row!.at, kind: 'OLD_EVENT', subjectType: 'TEST', subjectId: row!.subject_id, actorType: 'SYSTEM', actorId: null, data: original });
    await database.query('update audit_event set data = $2, canonical = $3 where seq = $1', [v, JSON.stringify(original), canonical]);
    const intact = (await gqlOk(server.url, VERIFY, {}, server.adminToken)).verifyAuditChain;
    expect(intact).toMatchObject({ valid: true, brokenAt: null });

    await createAgent(server, 'after-the-upgrade');
    const after = (await gqlOk(server.url, VERIFY, {}, server.adminToken)).verifyAuditChain;
    expect(after).toMatchObject({ valid: true, brokenAt: null });
    expect(after.checked).toBeGreaterThan(intact.checked);
    const shown = (await gqlOk(server.url, '{ auditLog(filter: { kind: ["OLD_EVENT"] }) { nodes { data } } }', {}, server.adminToken)).auditLog.nodes;
    expect(shown.map((n: { data: unknown }) => n.data)).toEqual(tricky);
  });
});
