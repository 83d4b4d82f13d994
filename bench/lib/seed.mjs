// Bulk seeding for the scale points: stored requests are cloned in SQL from real ones that
// the server itself created (one `submitAction` per template), so every row is consistent
// with the schema and with what the server writes, whatever columns it has today. Only
// what differs per row is overridden (id, agent, times, status); assignments and timers
// are cloned from the template's own. 100,000 rows take seconds instead of 100,000 API calls.

/**
 * Inserts `count` copies of action request `templateId`, in batches.
 *
 * @param {object} db a createDatabase() result
 * @param {object} o
 * @param {string} o.templateId a request the server created (its assignments are cloned too)
 * @param {number} o.count
 * @param {string[]} o.agentIds clones are spread round-robin over these agents
 * @param {Record<string, string>} [o.set] column → SQL expression over `i` (1-based row
 *   number across all batches, bigint), `t` (the template row) and `$1` (the agent ids)
 * @param {boolean} [o.timers] give each pending clone the ESCALATE timer of its level, due at
 *   its deadline, as the server does
 * @param {number} [o.offset] first `i` minus one (to add rows to an earlier seed)
 * @param {number} [o.batch]
 */
export async function cloneRequests(db, { templateId, count, agentIds, set = {}, timers = false, offset = 0, batch = 20_000 }) {
  const columns = (await db.query(
    `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'action_request' order by ordinal_position`,
  )).map((r) => r.column_name);
  const overrides = {
    id: 'gen_random_uuid()',
    agent_id: '($1::uuid[])[1 + (i % array_length($1::uuid[], 1))]',
    idempotency_key: 'null',
    ...set,
  };
  const select = columns.map((c) => (c in overrides ? `${overrides[c]}` : `t."${c}"`)).join(', ');
  // A template's assignments are cloned whichever way it stored them: rows, or group
  // assignments of approver sets (their sets are shared, not cloned).
  const assignmentOverrides = {
    id: 'gen_random_uuid()',
    action_id: 'ins."id"',
    active: `ins."status" = 'PENDING'`,
    deadline: `case when a."kind" = 'APPROVAL' then ins."deadline" end`,
    created_at: 'ins."created_at"',
    ended_at: `case when ins."status" <> 'PENDING' then ins."decided_at" end`,
  };
  const cloneAssignments = async (table) => {
    const cols = (await db.query(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
      [table],
    )).map((r) => r.column_name);
    const values = cols.map((c) => (c in assignmentOverrides ? assignmentOverrides[c] : `a."${c}"`)).join(', ');
    return `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')})
         select ${values} from ins, "${table}" a where a."action_id" = $2 and a."active"
         returning 1`;
  };
  const assigned = await cloneAssignments('assignment');
  const grouped = await cloneAssignments('group_assignment');
  const timer = timers
    ? `, timers as (insert into "timer" ("id", "kind", "action_id", "level", "round", "due_at", "created_at")
         select gen_random_uuid(), 'ESCALATE', ins."id", ins."escalation_level", ins."escalation_round", ins."deadline", ins."created_at"
         from ins where ins."status" = 'PENDING' returning 1)`
    : '';
  for (let start = 1; start <= count; start += batch) {
    const end = Math.min(count, start + batch - 1);
    await db.query(
      `with ins as (
         insert into "action_request" (${columns.map((c) => `"${c}"`).join(', ')})
         select ${select} from "action_request" t, generate_series(${offset + start}::bigint, ${offset + end}::bigint) as i
         where t."id" = $2
         returning "id", "status", "deadline", "created_at", "decided_at", "escalation_level", "escalation_round"
       ),
       assigned as (${assigned}),
       grouped as (${grouped})${timer}
       select count(*)::int as n from ins`,
      [agentIds, templateId],
    );
  }
  await db.query('analyze');
}

/**
 * Appends `count` audit events to the chain, sealed with the server's own chain functions
 * (packages/server/dist/audit/chain.js) and stored as `appendAudit` stores them (the
 * canonical text next to its columns) so that `verifyAuditChain` accepts them, continuing
 * from the current `audit_head`. Nothing else may write audit events meanwhile.
 * Event shapes rotate through what the server writes for a request's life.
 */
export async function seedAuditEvents(db, count, { batch = 10_000, onProgress } = {}) {
  const { sealCanonical } = await import('../../packages/server/dist/audit/chain.js');
  const [head] = await db.query('select "seq", "hash" from "audit_head" where "id" = 1');
  let seq = Number(head.seq);
  let prevHash = head.hash;
  const base = Date.now() - count * 10;
  const client = await db.client();
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(batch, count - done);
      const cols = { seq: [], at: [], kind: [], subject_type: [], subject_id: [], actor_type: [], actor_id: [], data: [], canonical: [], prev_hash: [], hash: [] };
      for (let k = 0; k < n; k++) {
        seq += 1;
        const { record: event, canonical } = sealCanonical(prevHash, { seq, at: new Date(base + seq * 10), ...auditShape(seq) });
        prevHash = event.hash;
        cols.seq.push(event.seq);
        cols.at.push(event.at.toISOString());
        cols.kind.push(event.kind);
        cols.subject_type.push(event.subjectType);
        cols.subject_id.push(event.subjectId);
        cols.actor_type.push(event.actorType);
        cols.actor_id.push(event.actorId);
        cols.data.push(JSON.stringify(event.data));
        cols.canonical.push(canonical);
        cols.prev_hash.push(event.prevHash);
        cols.hash.push(event.hash);
      }
      await client.query('begin');
      await client.query(
        `insert into "audit_event" ("seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "canonical", "prev_hash", "hash")
         select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::text[], $10::text[], $11::text[])`,
        [cols.seq, cols.at, cols.kind, cols.subject_type, cols.subject_id, cols.actor_type, cols.actor_id, cols.data, cols.canonical, cols.prev_hash, cols.hash],
      );
      await client.query('update "audit_head" set "seq" = $1, "hash" = $2 where "id" = 1', [seq, prevHash]);
      await client.query('commit');
      done += n;
      onProgress?.(done);
    }
  } finally {
    await client.end();
  }
  return { seq, hash: prevHash };
}

const uuid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** What a request's life writes to the audit log (submit, assign, approve), ~300–500 bytes each. */
function auditShape(seq) {
  const action = uuid(Math.floor(seq / 3));
  switch (seq % 3) {
    case 0:
      return {
        kind: 'ACTION_SUBMITTED', subjectType: 'ACTION', subjectId: action, actorType: 'AGENT', actorId: uuid(seq % 50),
        data: {
          type: 'payments.transfer', summary: 'Wire 25,000 USD to Acme Ltd', payloadHash: 'mQ0xB2c9f3E4v5y6Z7a8b9c0d1e2f3g4h5i6j7k8l9m', risk: { score: 95, level: 'CRITICAL' },
          mode: 'SYNC_APPROVAL', policy: 'payments', governanceVersion: 1, revisionOf: null,
        },
      };
    case 1:
      return {
        kind: 'ACTION_ASSIGNED', subjectType: 'ACTION', subjectId: action, actorType: 'SYSTEM', actorId: null,
        data: {
          route: 'payments', chain: 'finance', level: 1, kind: 'APPROVAL', deadline: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
          assignees: [{ approverId: uuid(900_000 + (seq % 7)), onBehalfOf: null, viaRole: 'finance' }, { approverId: uuid(900_100 + (seq % 5)), onBehalfOf: null, viaRole: 'finance' }],
        },
      };
    default:
      return {
        kind: 'DECISION', subjectType: 'ACTION', subjectId: action, actorType: 'APPROVER', actorId: uuid(900_000 + (seq % 7)),
        data: { verdict: 'APPROVE', comment: 'Matches the invoice and the vendor record.', onBehalfOf: null, level: 1, status: 'APPROVED', payloadHash: 'mQ0xB2c9f3E4v5y6Z7a8b9c0d1e2f3g4h5i6j7k8l9m' },
      };
  }
}
