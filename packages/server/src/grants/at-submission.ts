import type { EntityManager } from '@mikro-orm/postgresql';
import { toCelVars, type CompiledGovernance, type PolicyDecision } from '@countersign/governance';
import { ActionStatus, PrincipalKind, ReviewStatus } from '../shared/enums.js';
import type { AuditEntry } from '../audit/audit.service.js';
import type { RowWriter } from '../db/row-writer.js';
import type { RecordOf } from '../shared/record.js';
import type { ActionRecord } from '../actions/action-request.entity.js';
import type { NormalizedAction } from '../actions/normalize-input.js';
import { StatusReason } from '../actions/status-reason.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { startEach } from '../escalation/assignments.js';
import type { ChainSnapshot } from '../escalation/levels.js';
import { loadDelegationRules } from '../delegation/rules.js';
import type { Services } from '../services.js';
import { GrantUse } from './grant.entity.js';
import { chainReaches } from './authority.js';
import { covers, grantLimitsOf, grantable, lifetimeWithin, type GrantTerms } from './scope.js';
import { LIVE_SQL } from './grants.service.js';

// A standing approval at submission (DESIGN §12): after the policy, a SYNC_APPROVAL
// request a live grant covers is APPROVED at once (statusReason GRANTED), with a receipt,
// its use counted atomically, and put in the granter's review queue. Everything that only
// reads is done before the submission's transaction ({@link prepareGrant}); inside it one
// statement counts the use, re-checking that the grant is still live
// ({@link GrantAtSubmission.apply}), and a grant used up meanwhile leaves the request to
// the normal path.

/** What the submission judged, for {@link prepareGrant}. */
export interface JudgedSubmission {
  id: string;
  agent: { id: string; name: string; tags: string[]; suspended: boolean; ownerId: string | null };
  input: NormalizedAction;
  /** Of the submitted payload. */
  payloadHash: string;
  risk: { score: number };
  policy: PolicyDecision;
  route: { name: string; chain: string } | null;
  compiled: CompiledGovernance | null;
  now: Date;
}

/** What {@link GrantAtSubmission.apply} changes of the submission being written. */
export interface SubmissionInWrite {
  action: ActionRecord;
  audit: AuditEntry[];
  /** Approvers whose queues changed (the granter's review queue gains the request). */
  queueChanged: string[];
  /**
   * Routes the request for review as ASYNC_REVIEW would (for a grant an admin made: there
   * is no granter's queue); false when nobody can review it, the request then ended.
   */
  assignReview(): Promise<boolean>;
}

export interface GrantAtSubmission {
  /**
   * Inside the submission's transaction: counts a use of the first covering grant still
   * live and approves the request with it. False (nothing written) when every covering
   * grant was used up, revoked or expired meanwhile: the request takes the normal path.
   */
  apply(tx: RowWriter, submission: SubmissionInWrite): Promise<boolean>;
}

interface CandidateRow {
  id: string;
  agent_id: string;
  action_type: string;
  when: string | null;
  max_amount_value: string | number | null;
  max_amount_currency: string | null;
  same_destination: boolean;
  destination_system: string | null;
  destination_external: boolean | null;
  payload_hash: string | null;
  max_uses: number | null;
  uses: number;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  created_at: Date | string;
  granted_by_kind: string;
  granted_by_approver_id: string | null;
  approver_active: boolean | null;
}

/**
 * The grants that would let this request through, read and matched before the
 * submission's transaction, with its receipt signed; null when none could (the request is
 * not grantable under its policy, or no live grant covers it). Grants are tried oldest
 * first.
 */
export async function prepareGrant(em: EntityManager, services: Services, judged: JudgedSubmission): Promise<GrantAtSubmission | null> {
  const { policy, route, compiled, agent, input, now } = judged;
  if (!route) return null; // It needs a human and nobody is routed: the normal path denies it.
  const chain = compiled?.chains.get(route.chain);
  if (!chain) return null;
  const limits = grantLimitsOf(compiled, policy.policy);
  // The approvals it would need at the level it is first assigned to.
  const requiredApprovals = Math.max(policy.requiredApprovals, chain.levels[0]?.requiredApprovals ?? 1);
  if (!grantable({ mode: policy.mode, level: policy.level, requiredApprovals, suspended: agent.suspended }, limits).covered) return null;

  const rows = await services.sql.execute<CandidateRow[]>(
    `select g."id", g."agent_id", g."action_type", g."when", g."max_amount_value", g."max_amount_currency", g."same_destination", g."destination_system",
            g."destination_external", g."payload_hash", g."max_uses", g."uses", g."expires_at", g."revoked_at", g."created_at", g."granted_by_kind",
            g."granted_by_approver_id", p."active" as "approver_active"
       from "standing_grant" g left join "approver" p on p."id" = g."granted_by_approver_id"
      where g."agent_id" = ? and ${LIVE_SQL('g')}
      order by g."created_at", g."id"`,
    [agent.id, now],
  );
  if (rows.length === 0) return null;

  const vars = toCelVars(input, agent, { score: judged.risk.score, level: policy.level });
  const request = { agentId: agent.id, type: input.type, amount: input.amount, destination: input.destination, payloadHash: judged.payloadHash, vars };
  const inScope = rows.filter((row) => {
    const terms = toTerms(row);
    return covers(terms, request, now).covered && lifetimeWithin(terms, limits!);
  });
  // An approver's grant holds only while they could approve this very request: active, and
  // reached by the chain of the route it takes now (in their own right or as a delegate).
  let reach: Parameters<typeof chainReaches>[2] | null = null;
  const covering: CandidateRow[] = [];
  for (const row of inScope) {
    if (row.granted_by_kind === PrincipalKind.APPROVER) {
      if (!row.granted_by_approver_id || !row.approver_active) continue;
      reach ??= {
        at: now, actionType: input.type, ownerId: agent.ownerId,
        directory: (await services.directory.at(services.sql, null)).approvers, rules: await loadDelegationRules(services.sql, now),
      };
      if (!chainReaches(chain, row.granted_by_approver_id, reach)) continue;
    }
    covering.push(row);
  }
  if (covering.length === 0) return null;
  const receipt = await services.receipts.sign(em, { id: judged.id, agentId: agent.id, type: input.type }, judged.payloadHash);

  return {
    async apply(tx, { action, audit, queueChanged, assignReview }) {
      let used: CandidateRow | null = null;
      for (const row of covering) {
        // The use and the check that the grant is still live are one statement: under
        // concurrent submissions, on any instance, it never lets more through than maxUses.
        const [counted] = await tx.execute<{ uses: number }[]>(
          `update "standing_grant" g set "uses" = g."uses" + 1 where g."id" = ? and ${LIVE_SQL('g')} returning g."uses"`,
          [row.id, now],
        );
        if (counted) {
          used = { ...row, uses: counted.uses };
          break;
        }
      }
      if (!used) return false;

      action.status = ActionStatus.APPROVED;
      action.statusReason = StatusReason.GRANTED;
      action.decidedAt = now;
      action.approvedPayload = input.payload;
      action.receipt = receipt;
      action.reviewStatus = ReviewStatus.UNREVIEWED;
      const granter = used.granted_by_kind === PrincipalKind.APPROVER ? used.granted_by_approver_id! : null;
      if (granter) {
        action.route = route.name;
        action.chain = route.chain;
        action.chainSnapshot = chain as ChainSnapshot;
        action.escalationLevel = 1;
        startEach(tx, action.id, [{ approverId: granter, onBehalfOf: null, viaRole: null }], { kind: AssignmentKind.REVIEW, level: 1, deadline: null, now });
        queueChanged.push(granter);
        audit.push({
          kind: 'ACTION_ASSIGNED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
          data: { route: route.name, chain: route.chain, level: 1, kind: AssignmentKind.REVIEW, deadline: null, assignees: [{ approverId: granter, onBehalfOf: null, viaRole: null }], groups: [], grantId: used.id },
        });
      } else if (!(await assignReview())) {
        // Nobody could review it: it was denied as an ASYNC_REVIEW request would be, and the use is given back.
        await tx.execute(`update "standing_grant" set "uses" = "uses" - 1 where "id" = ?`, [used.id]);
        action.approvedPayload = null;
        action.receipt = null;
        action.reviewStatus = null;
        return true;
      }
      tx.add(GrantUse, { action: { id: action.id }, grant: { id: used.id }, at: now } satisfies RecordOf<GrantUse, 'action' | 'grant'>);
      audit.push({
        kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: {
          mode: policy.mode, payloadHash: judged.payloadHash, reason: StatusReason.GRANTED, grantId: used.id,
          grantedBy: { kind: used.granted_by_kind, approverId: granter }, uses: used.uses, maxUses: used.max_uses,
        },
      });
      return true;
    },
  };
}

function toTerms(row: CandidateRow): GrantTerms {
  return {
    id: row.id,
    agentId: row.agent_id,
    actionType: row.action_type,
    when: row.when,
    maxAmount: row.max_amount_value === null || row.max_amount_currency === null ? null : { value: Number(row.max_amount_value), currency: row.max_amount_currency },
    sameDestination: row.same_destination,
    destination: row.destination_external === null ? null : { system: row.destination_system, external: row.destination_external },
    payloadHash: row.payload_hash,
    maxUses: row.max_uses,
    uses: row.uses,
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    createdAt: new Date(row.created_at),
  };
}
