import { randomUUID } from 'node:crypto';
import type { TestDatabase } from './database.js';
import { canonicalAuditEvent } from '../../packages/server/dist/audit/chain.js';

/**
 * Writes a known history straight into a test database, with the timestamps a test needs
 * (hours ago, seconds to decide) — things the API, which stamps "now", cannot produce.
 * Rows are written as the server writes them; only the fields a test varies are exposed.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `at(h, m, s)`: `h` hours, `m` minutes and `s` seconds after `origin`. */
export function clock(origin: Date) {
  return (hours: number, minutes = 0, seconds = 0) => new Date(origin.getTime() + hours * HOUR + minutes * MINUTE + seconds * 1000);
}

export interface SeededAction {
  agentId: string;
  type?: string;
  summary?: string;
  mode: 'AUTO' | 'ASYNC_REVIEW' | 'SYNC_APPROVAL' | 'BLOCK';
  status: 'PENDING' | 'APPROVED' | 'DENIED' | 'CHANGES_REQUESTED' | 'EXPIRED' | 'CANCELLED';
  statusReason?: string | null;
  reviewStatus?: 'UNREVIEWED' | 'ACKNOWLEDGED' | 'FLAGGED' | null;
  policy?: string | null;
  route?: string | null;
  chain?: string | null;
  riskLevel?: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  riskScore?: number;
  amount?: { value: number; currency: string };
  createdAt: Date;
  /** Defaults to createdAt for terminal statuses, null when PENDING. */
  decidedAt?: Date | null;
}

export async function seedAction(db: TestDatabase, a: SeededAction): Promise<string> {
  const id = randomUUID();
  const decidedAt = a.decidedAt !== undefined ? a.decidedAt : a.status === 'PENDING' ? null : a.createdAt;
  await db.query(
    `insert into action_request (id, agent_id, type, operation, summary, data_categories, risk_score, risk_level, risk_factors, mode, policy, notes,
       status, status_reason, review_status, route, chain, escalation_level, amount_value, amount_currency, decided_at, created_at, updated_at)
     values ($1, $2, $3, 'WRITE', $4, '{}', $5, $6, '[]', $7, $8, '[]', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)`,
    [
      id, a.agentId, a.type ?? 'payments.transfer', a.summary ?? 'Seeded request', a.riskScore ?? 70, a.riskLevel ?? 'HIGH', a.mode, a.policy ?? null,
      a.status, a.statusReason ?? null, a.reviewStatus ?? null, a.route ?? null, a.chain ?? null, a.mode === 'SYNC_APPROVAL' ? 1 : null,
      a.amount?.value ?? null, a.amount?.currency ?? null, decidedAt, a.createdAt,
    ],
  );
  return id;
}

export async function seedAssignment(
  db: TestDatabase,
  s: { actionId: string; approverId: string; kind?: 'APPROVAL' | 'REVIEW'; level?: number; viaRole?: string | null; createdAt: Date; endedAt?: Date | null },
): Promise<void> {
  const endedAt = s.endedAt ?? null;
  await db.query(
    `insert into assignment (id, action_id, approver_id, via_role, kind, level, active, deadline, created_at, ended_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [randomUUID(), s.actionId, s.approverId, s.viaRole ?? null, s.kind ?? 'APPROVAL', s.level ?? 1, endedAt === null, null, s.createdAt, endedAt],
  );
}

export async function seedDecision(
  db: TestDatabase,
  d: { actionId: string; approverId: string; verdict: 'APPROVE' | 'DENY' | 'REQUEST_CHANGES'; at: Date; comment?: string },
): Promise<void> {
  await db.query(
    'insert into decision (id, action_id, approver_id, verdict, comment, escalation_level, at) values ($1, $2, $3, $4, $5, 1, $6)',
    [randomUUID(), d.actionId, d.approverId, d.verdict, d.comment ?? null, d.at],
  );
}

export async function seedReview(db: TestDatabase, r: { actionId: string; approverId: string; verdict: 'ACKNOWLEDGE' | 'FLAG'; at: Date }): Promise<void> {
  await db.query('insert into review (id, action_id, approver_id, verdict, at) values ($1, $2, $3, $4, $5)', [randomUUID(), r.actionId, r.approverId, r.verdict, r.at]);
}

let auditSeq = 1_000_000_000_000;

/**
 * An audit event (e.g. ESCALATED) at a chosen time. Seeded events are numbered far past the
 * live chain so that the server's own appends never collide with them; the chain of such a
 * database no longer verifies, so seed only databases that tests do not verify.
 */
export async function seedAuditEvent(db: TestDatabase, e: { kind: string; subjectId: string; at: Date; data?: unknown }): Promise<void> {
  auditSeq += 1;
  const event = { seq: auditSeq, at: e.at, kind: e.kind, subjectType: 'ACTION', subjectId: e.subjectId, actorType: 'SYSTEM', actorId: null, data: e.data ?? null };
  await db.query(
    `insert into audit_event (seq, at, kind, subject_type, subject_id, actor_type, actor_id, data, canonical, prev_hash, hash)
     values ($1, $2, $3, 'ACTION', $4, 'SYSTEM', null, $5, $6, $7, $7)`,
    [auditSeq, e.at, e.kind, e.subjectId, JSON.stringify(e.data ?? null), canonicalAuditEvent(event), '0'.repeat(64)],
  );
}

/**
 * Webhook deliveries in each status, on an inactive endpoint and due a year from now, so
 * that no delivery worker touches them while the test reads them.
 */
export async function seedDeliveries(db: TestDatabase, deliveries: { event: string; status: 'PENDING' | 'DELIVERED' | 'FAILED'; count: number }[]): Promise<void> {
  const endpointId = randomUUID();
  await db.query(
    `insert into webhook_endpoint (id, url, secret, events, format, active, created_at) values ($1, 'http://127.0.0.1:9/hook', 'seeded', '{}', 'JSON', false, now())`,
    [endpointId],
  );
  for (const d of deliveries) {
    for (let i = 0; i < d.count; i++) {
      await db.query(
        `insert into notification_delivery (id, endpoint_id, event, body, status, attempts, next_attempt_at, delivered_at, created_at)
         values ($1, $2, $3, '{}', $4, 1, now() + interval '1 year', $5, now())`,
        [randomUUID(), endpointId, d.event, d.status, d.status === 'DELIVERED' ? new Date() : null],
      );
    }
  }
}
