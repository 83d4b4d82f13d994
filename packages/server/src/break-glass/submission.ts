import type { EntityManager } from '@mikro-orm/postgresql';
import type { BreakGlassPolicy } from '@countersign/governance';
import { ActionStatus, ReviewStatus, type Mode } from '../shared/enums.js';
import type { AuditEntry } from '../audit/entry.js';
import type { RowWriter } from '../db/row-writer.js';
import type { SqlExecutor } from '../db/sql.js';
import type { RecordOf } from '../shared/record.js';
import type { Services } from '../services.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import type { ActionRecord } from '../actions/action-request.entity.js';
import { StatusReason } from '../actions/status-reason.js';
import { BreakGlassRequest } from './break-glass.entity.js';
import { judgeBreakGlass, utcDay, type BreakGlassJudgement, type BreakGlassRequest as Requested } from './break-glass.rules.js';

/** What the submission path lends break-glass to settle a request at birth (actions/submit.service.ts). */
export interface BirthControls {
  action: ActionRecord;
  audit: AuditEntry[];
  now: Date;
  /** Ends the request at once with this status and reason, auditing the sentence. */
  end(target: ActionRecord, status: ActionStatus, reason: StatusReason, kind: string, sentence: string): void;
  /** Approves the request at once with this receipt. */
  approve(target: ActionRecord, receipt: string): void;
  /** Routes and assigns the first level; false (and the request ended) when nobody can take it. */
  assign(kind: AssignmentKind, escalates: boolean): Promise<boolean>;
}

/** Break-glass for one submission, judged before its transaction. */
export interface BreakGlassPlan {
  readonly judgement: BreakGlassJudgement;
  /**
   * Inside the submission's transaction: records the request for break-glass and settles the
   * request when break-glass decides it (true), or leaves it to take its usual way (false).
   */
  settle(tx: RowWriter, controls: BirthControls): Promise<boolean>;
}

/**
 * Judges an agent's request for break-glass (DESIGN §12) from its policy's decision, before
 * the shared transaction: that is where the receipt of an approval at birth is signed (the
 * key may have to be read, and in embedded mode the transaction holds the only connection).
 * Null when break-glass was not asked for.
 */
export async function prepareBreakGlass(
  em: EntityManager,
  services: Services,
  requested: Requested | null,
  subject: { id: string; agentId: string; type: string; payloadHash: string },
  decision: { policy: string | null; mode: Mode; breakGlass: BreakGlassPolicy | null },
  routed: boolean,
): Promise<BreakGlassPlan | null> {
  if (requested === null) return null;
  const judgement = judgeBreakGlass(decision, routed);
  const receipt = judgement.kind === 'OPEN'
    ? await services.receipts.sign(em, { id: subject.id, agentId: subject.agentId, type: subject.type, breakGlass: true }, subject.payloadHash)
    : null;
  return { judgement, settle: (tx, controls) => settle(tx, controls, requested, judgement, receipt, decision.policy) };
}

async function settle(tx: RowWriter, c: BirthControls, requested: Requested, judgement: BreakGlassJudgement, receipt: string | null, policy: string | null): Promise<boolean> {
  const { action, audit, now } = c;
  const agentId = action.agent.id;
  // Read at the flush: `used` is set below when break-glass approves the request.
  const record: RecordOf<BreakGlassRequest, 'action'> = { action: { id: action.id }, justification: requested.justification, used: false, reviewOverdueAt: null, createdAt: now };
  tx.add(BreakGlassRequest, record);
  const refuse = (reason: StatusReason, sentence: string) => {
    audit.push({ kind: 'BREAK_GLASS_REFUSED', subjectType: 'ACTION', subjectId: action.id, actorType: 'AGENT', actorId: agentId, at: now, data: { reason, justification: requested.justification, policy } });
    c.end(action, ActionStatus.DENIED, reason, 'ACTION_DENIED', sentence);
  };

  switch (judgement.kind) {
    case 'USUAL':
      action.notes = [...action.notes, judgement.note];
      return false;
    case 'REFUSED':
      refuse(judgement.reason, judgement.sentence);
      return true;
    case 'OPEN': {
      const day = utcDay(now);
      const usesToday = await claimUse(tx, agentId, day, judgement.maxPerDay);
      if (usesToday === null) {
        refuse(StatusReason.BREAK_GLASS_LIMIT, `Break-glass was asked for, but this agent has already used it ${judgement.maxPerDay} ${judgement.maxPerDay === 1 ? 'time' : 'times'} today (UTC ${day}), as many as policy ${policy} allows: it is denied.`);
        return true;
      }
      // Nobody to review it: denied (fail closed) by `assign`, and the use is given back.
      if (!(await c.assign(AssignmentKind.REVIEW, true))) {
        await releaseUse(tx, agentId, day);
        return true;
      }
      action.reviewStatus = ReviewStatus.UNREVIEWED;
      c.approve(action, receipt!);
      action.statusReason = StatusReason.BREAK_GLASS;
      record.used = true;
      // Who holds the review now, as the assignment's event names them: the BREAK_GLASS webhook goes to them too.
      const assigned = audit.findLast((e) => e.kind === 'ACTION_ASSIGNED' && e.subjectId === action.id)?.data as Record<string, unknown> | undefined;
      audit.push({
        kind: 'BREAK_GLASS_USED', subjectType: 'ACTION', subjectId: action.id, actorType: 'AGENT', actorId: agentId, at: now,
        data: {
          justification: requested.justification, policy, maxPerDay: judgement.maxPerDay, usesToday, day,
          route: action.route, chain: action.chain, level: action.escalationLevel, reviewDeadline: action.deadline,
          assignees: assigned?.assignees ?? [], groups: assigned?.groups ?? [],
        },
      });
      return true;
    }
  }
}

/**
 * Takes one of the agent's uses of `day`, or none when `maxPerDay` are taken: one upsert
 * that raises the counter only while it is under the limit. Concurrent submissions (on
 * any instance) queue on the counter row until the one before commits, and then see its
 * count, so the limit holds under any concurrency. Returns the uses taken today, this one
 * included, or null.
 */
async function claimUse(sql: SqlExecutor, agentId: string, day: string, maxPerDay: number): Promise<number | null> {
  const [row] = await sql.execute<{ uses: number }[]>(
    `insert into "break_glass_day" ("agent_id", "day", "uses") values (?, ?::date, 1)
     on conflict ("agent_id", "day") do update set "uses" = "break_glass_day"."uses" + 1 where "break_glass_day"."uses" < ?
     returning "uses"`,
    [agentId, day, maxPerDay],
  );
  return row === undefined ? null : Number(row.uses);
}

/** Gives back a use taken by this transaction. */
async function releaseUse(sql: SqlExecutor, agentId: string, day: string): Promise<void> {
  await sql.execute('update "break_glass_day" set "uses" = "uses" - 1 where "agent_id" = ? and "day" = ?::date', [agentId, day]);
}
