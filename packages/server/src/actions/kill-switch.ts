import { ActionStatus } from '../shared/enums.js';
import type { SqlExecutor } from '../db/sql.js';
import type { AuditEntry } from '../audit/audit.service.js';
import type { ChangeEvent } from '../events/event-bus.js';
import { StatusReason } from './status-reason.js';
import { requestsLeaveQueues } from '../escalation/assignments.js';

/**
 * The kill switch on requests in flight (DESIGN §2, "Rules that keep approvals honest"):
 * ends every PENDING request of an agent being suspended — CANCELLED, AGENT_SUSPENDED — in
 * the suspension's own transaction, with their assignments and timers, an audit event each,
 * and the change events that tell the waiting agent and the approvers whose queues lose them.
 *
 * One statement whatever the number. Each row is locked by the update: a decision holding
 * a request's lock finishes first (and the request, no longer PENDING, is left alone), and
 * a decision that comes after finds it CANCELLED. The caller has already written the
 * agent's new status in this transaction, so no submission can commit a PENDING request
 * for it meanwhile (submissions share-lock their agent's row: actions/submit.service.ts).
 */
export async function cancelPendingOfSuspendedAgent(
  sql: SqlExecutor,
  agent: { id: string; name: string },
  by: { actorType: string; actorId: string | null },
  reason: string | null,
  now: Date,
): Promise<{ audit: AuditEntry[]; events: ChangeEvent[] }> {
  const leave = requestsLeaveQueues('cancelled');
  const rows = await sql.execute<{ id: string; queue: string[] }[]>(
    `with "cancelled" as (
       update "action_request" set "status" = ?, "status_reason" = ?, "decided_at" = ?, "deadline" = null, "updated_at" = ?
       where "agent_id" = ? and "status" = ? returning "id"
     ), "timers" as (
       delete from "timer" where "action_id" in (select "id" from "cancelled")
     ), ${leave.ctes}
     select c."id", coalesce((select array_agg(l."approver_id") from ${leave.lost} l where l."action_id" = c."id"), '{}') as "queue" from "cancelled" c`,
    [ActionStatus.CANCELLED, StatusReason.AGENT_SUSPENDED, now, now, agent.id, ActionStatus.PENDING, ...leave.params(now)],
  );
  const detail = `Agent ${agent.name} was suspended${reason ? ` (${reason})` : ''}: the request is cancelled and can never be approved.`;
  return {
    audit: rows.map((r) => ({
      kind: 'ACTION_CANCELLED', subjectType: 'ACTION', subjectId: r.id, ...by, at: now,
      data: { reason: StatusReason.AGENT_SUSPENDED, detail },
    })),
    events: rows.map((r) => ({ actionId: r.id, agentId: agent.id, queueChanged: r.queue })),
  };
}
