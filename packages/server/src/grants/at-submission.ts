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
import { DELEGATION_RULES_JSON_SQL, delegationRulesOfJson } from '../delegation/rules.js';
import type { DelegationRule } from '../delegation/resolve.js';
import type { Services } from '../services.js';
import { GrantUse } from './grant.entity.js';
import { chainReaches } from './authority.js';
import { covers, grantLimitsOf, grantable, lifetimeWithin } from './scope.js';
import { signatureOf, type CandidateGrant, type GranterRow } from './candidates.js';
import { LIVE_SQL } from './grants.service.js';

// A standing approval at submission (DESIGN §12): after the policy, a SYNC_APPROVAL
// request a live grant covers is APPROVED at once (statusReason GRANTED), with a receipt,
// its use counted atomically, and put in the granter's review queue. Everything that only
// reads is done before the submission's transaction ({@link prepareGrant}), against the
// agent's grants as this instance keeps them (grants/candidates.ts); inside it the commit
// facts say whether those are still the agent's live grants, one statement counts the use,
// re-checking that the grant is still live ({@link GrantAtSubmission.apply}), and a grant
// used up meanwhile leaves the request to the normal path.

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
  /** The approver directory's version read with the commit facts. */
  directoryVersion: string | null;
  /**
   * Routes the request for review as ASYNC_REVIEW would (for a grant an admin made: there
   * is no granter's queue); false when nobody can review it, the request then ended.
   */
  assignReview(): Promise<boolean>;
}

export interface GrantAtSubmission {
  /**
   * Whether the agent's live grants are still those the request was matched against, by
   * the signature the commit facts read (grants/candidates.ts `liveGrantsSignatureSql`);
   * when not, what was kept of them is dropped and the request must be judged again.
   */
  holds(signature: string | undefined): boolean;
  /**
   * Inside the submission's transaction: counts a use of the first covering grant still
   * live whose approver could still approve the request, and approves the request with
   * it. False (nothing written) when no grant covers it, or every covering grant was used
   * up, revoked or expired meanwhile: the request takes the normal path.
   */
  apply(tx: RowWriter, submission: SubmissionInWrite): Promise<boolean>;
}

/** The grant a submission was just approved with, as its answer shows it. */
export interface UsedGrant {
  grant: CandidateGrant;
  /** Counted with this use. */
  uses: number;
  /** The granting approver as of the submission's commit; undefined when not known then (the answer reads them). */
  granter: GranterRow | null | undefined;
}

/** The grant each request this instance just approved with one was approved with (for its answer). */
const usedBy = new WeakMap<ActionRecord, UsedGrant>();

/**
 * The grant `action` was approved with by the submission that just wrote it, for its
 * answer; undefined for any other record (not granted, or read back from the database).
 */
export function grantUsedBy(action: ActionRecord): UsedGrant | undefined {
  return usedBy.get(action);
}

/** Counts a use if the grant is still live; with the delegations in force when `rules` (one round trip either way). */
const COUNT_USE = `update "standing_grant" g set "uses" = g."uses" + 1 where g."id" = ? and ${LIVE_SQL('g')} returning g."uses"`;
const COUNT_USE_WITH_RULES = `with "counted" as (${COUNT_USE}) select (select "uses" from "counted") as "uses", ${DELEGATION_RULES_JSON_SQL} as "rules"`;

/**
 * The grants that could let this request through, matched before the submission's
 * transaction against what this instance keeps of the agent's grants (grants/candidates.ts),
 * with its receipt signed when one covers it; null when no grant could (the request is not
 * grantable under its policy). Grants are tried oldest first. Whether the granter could
 * still approve the request is checked in the transaction, against the directory and the
 * delegations of that moment.
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

  const kept = await services.grants.of(services.sql, agent.id, now);
  const judgedOn = signatureOf(kept.grants, now);
  const holds = (signature: string | undefined) => {
    if (signature === judgedOn) return true;
    services.grants.forget(agent.id);
    return false;
  };
  const vars = toCelVars(input, agent, { score: judged.risk.score, level: policy.level });
  const request = { agentId: agent.id, type: input.type, amount: input.amount, destination: input.destination, payloadHash: judged.payloadHash, vars };
  const covering = kept.grants.filter((grant) => covers(grant, request, now).covered && lifetimeWithin(grant, limits!));
  if (covering.length === 0) return { holds, apply: async () => false };
  const receipt = await services.receipts.sign(em, { id: judged.id, agentId: agent.id, type: input.type }, judged.payloadHash);

  return {
    holds,
    async apply(tx, { action, audit, queueChanged, assignReview, directoryVersion }) {
      // An approver's grant holds only while they could approve this very request: active,
      // and reached by the chain of the route it takes now (in their own right or as a delegate).
      const directory = await services.directory.at(tx, directoryVersion);
      let rules: DelegationRule[] = [];
      let rulesRead = false;
      const reaches = (approverId: string) =>
        chainReaches(chain, approverId, { at: now, actionType: input.type, ownerId: agent.ownerId, directory: directory.approvers, rules });
      let used: UsedGrant | null = null;
      for (const grant of covering) {
        const approverId = grant.grantedByKind === PrincipalKind.APPROVER ? grant.grantedByApproverId : null;
        if (grant.grantedByKind === PrincipalKind.APPROVER && approverId === null) continue; // The approver was deleted.
        if (approverId && rulesRead && !reaches(approverId)) continue;
        // The use and the check that the grant is still live are one statement: under
        // concurrent submissions, on any instance, it never lets more through than maxUses.
        // The delegations in force come with the first approver's grant counted.
        const withRules = approverId !== null && !rulesRead;
        const [counted] = await tx.execute<{ uses: number | null; rules?: unknown }[]>(withRules ? COUNT_USE_WITH_RULES : COUNT_USE, withRules ? [grant.id, now, now] : [grant.id, now]);
        if (withRules) {
          rules = delegationRulesOfJson(counted!.rules);
          rulesRead = true;
        }
        if (counted?.uses === null || counted?.uses === undefined) continue;
        // Counted, then found out of the granter's reach: given back in the same transaction
        // (the row stays locked until the commit, so nobody sees the use meanwhile).
        if (approverId && !reaches(approverId)) {
          await tx.execute(`update "standing_grant" set "uses" = "uses" - 1 where "id" = ?`, [grant.id]);
          continue;
        }
        grant.uses = counted.uses;
        used = { grant, uses: counted.uses, granter: kept.directoryVersion === directory.version ? grant.granter : undefined };
        break;
      }
      if (!used) return false;
      const { grant } = used;

      action.status = ActionStatus.APPROVED;
      action.statusReason = StatusReason.GRANTED;
      action.decidedAt = now;
      action.approvedPayload = input.payload;
      action.receipt = receipt;
      action.reviewStatus = ReviewStatus.UNREVIEWED;
      const granter = grant.grantedByKind === PrincipalKind.APPROVER ? grant.grantedByApproverId! : null;
      if (granter) {
        action.route = route.name;
        action.chain = route.chain;
        action.chainSnapshot = chain as ChainSnapshot;
        action.escalationLevel = 1;
        startEach(tx, action.id, [{ approverId: granter, onBehalfOf: null, viaRole: null }], { kind: AssignmentKind.REVIEW, level: 1, deadline: null, now });
        queueChanged.push(granter);
        audit.push({
          kind: 'ACTION_ASSIGNED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
          data: { route: route.name, chain: route.chain, level: 1, kind: AssignmentKind.REVIEW, deadline: null, assignees: [{ approverId: granter, onBehalfOf: null, viaRole: null }], groups: [], grantId: grant.id },
        });
      } else if (!(await assignReview())) {
        // Nobody could review it: it was denied as an ASYNC_REVIEW request would be, and the use is given back.
        await tx.execute(`update "standing_grant" set "uses" = "uses" - 1 where "id" = ?`, [grant.id]);
        grant.uses = used.uses - 1;
        action.approvedPayload = null;
        action.receipt = null;
        action.reviewStatus = null;
        return true;
      }
      tx.add(GrantUse, { action: { id: action.id }, grant: { id: grant.id }, at: now } satisfies RecordOf<GrantUse, 'action' | 'grant'>);
      audit.push({
        kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: action.id, actorType: 'SYSTEM', actorId: null, at: now,
        data: {
          mode: policy.mode, payloadHash: judged.payloadHash, reason: StatusReason.GRANTED, grantId: grant.id,
          grantedBy: { kind: grant.grantedByKind, approverId: granter }, uses: used.uses, maxUses: grant.maxUses,
        },
      });
      usedBy.set(action, used);
      return true;
    },
  };
}
