import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { evaluateGovernance } from '@countersign/governance';
import { ActionStatus, Mode, ReviewStatus, assertNever } from '../shared/enums.js';
import { AppError } from '../errors.js';
import { isUniqueViolation, isUuid } from '../shared/validate.js';
import type { AuditEntry } from '../audit/audit.service.js';
import { payloadHash } from '../receipts/receipt.js';
import { AssignmentKind } from '../escalation/assignment.entity.js';
import { assignNextLevel } from '../escalation/escalation.service.js';
import { reachableVoters, toLevelChain, type ApproverRef, type ChainSnapshot } from '../escalation/levels.js';
import type { Services } from '../services.js';
import type { AgentSnapshot } from '../auth/principal.js';
import { ActionRequest, type ActionRecord } from './action-request.entity.js';
import type { ActionInput } from './action.inputs.js';
import { loadSubmissionContext } from './behaviour.js';
import { normalizeActionInput, type NormalizedAction } from './normalize-input.js';
import { StatusReason } from './status-reason.js';
import type { CommitFacts } from './commit-facts.js';
import { prepareGrant } from '../grants/at-submission.js';
import { prepareBreakGlass } from '../break-glass/submission.js';

/**
 * An agent asks to act (DESIGN §2 steps 1–6): validate, assess the risk from the input and
 * the agent's own history, let the policy in force choose the mode, route to a chain when
 * a human is needed, and record it all — request, assignments, timers, audit events and
 * the change notification — in one transaction. Returns the stored request.
 *
 * Everything that only reads happens first, in one round trip; the write goes through the
 * group committer, which shares one transaction (and one audit-chain lock) among the
 * submissions that arrive together.
 */
export async function submitAction(
  em: EntityManager,
  services: Services,
  agentId: string,
  raw: ActionInput,
  snapshot?: AgentSnapshot,
): Promise<ActionRecord> {
  const input = normalizeActionInput(raw);

  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(em, agentId, input.idempotencyKey);
    if (existing) return sameRequestOrConflict(existing, input);
  }

  for (let attempt = 1; ; attempt++) {
    try {
      // After a stale judgement, judge again on what is in the database now.
      return await judgeAndWrite(em, services, agentId, input, attempt === 1 ? snapshot : undefined);
    } catch (error) {
      if (!(error instanceof StaleJudgement) || attempt >= MAX_JUDGEMENTS) throw error;
    }
  }
}

/** How many times a submission is judged again when what it was judged on changed before it committed. */
const MAX_JUDGEMENTS = 3;

/** What a submission was judged on changed before it could commit (suspended, resumed, new governance). */
class StaleJudgement extends Error {}

/** One judgement of a submission and its write; throws {@link StaleJudgement} when the facts moved meanwhile. */
async function judgeAndWrite(em: EntityManager, services: Services, agentId: string, input: NormalizedAction, snapshot: AgentSnapshot | undefined): Promise<ActionRecord> {
  const now = new Date();
  const { agent, governanceVersion, behaviour } = await loadSubmissionContext(services.sql, services.behaviour, agentId, input.type, now, snapshot);
  const revisionOf = input.revisionOf ? await findRevisable(em, agentId, input.revisionOf) : null;
  const governance = await services.governance.at(em, governanceVersion);
  const compiled = governance?.compiled ?? null;
  // The same deciding steps that simulateGovernance replays, so the two never drift apart.
  const { risk, policy, route, notes } = evaluateGovernance(compiled, input, agent, behaviour);
  const riskNow = { score: risk.score, level: policy.level };

  // The id is known before the write, so the receipt of an approval at birth (AUTO, and
  // ASYNC_REVIEW unless nobody can review it) is signed outside the shared transaction.
  const id = randomUUID();
  const hash = payloadHash(input.payload);
  const receipt = (policy.mode === Mode.AUTO || policy.mode === Mode.ASYNC_REVIEW) && !agent.suspended
    ? await services.receipts.sign(em, { id, agentId, type: input.type }, hash)
    : null;
  // A standing approval that covers it, matched (and its receipt signed) before the write.
  const grant = await prepareGrant(em, services, { id, agent, input, payloadHash: hash, risk, policy, route, compiled, now });
  // Break-glass asked for (DESIGN §12): judged here, settled in the transaction (break-glass/).
  const breakGlass = await prepareBreakGlass(em, services, agent.suspended ? null : input.breakGlass, { id, agentId, type: input.type, payloadHash: hash }, policy, route !== null);

  /**
   * The request as submitted, its first audit event, and the ways it can end at birth.
   * Made afresh inside each job: a group that fails is retried job by job.
   */
  const newSubmission = () => {
    const action: ActionRecord = {
      id,
      agent: { id: agentId },
      type: input.type,
      operation: input.operation,
      summary: input.summary,
      justification: input.justification,
      expectedOutcome: input.expectedOutcome,
      resource: input.resource,
      dataClassification: input.dataClassification,
      dataCategories: input.dataCategories,
      recordCount: input.recordCount,
      destinationSystem: input.destination?.system ?? null,
      destinationExternal: input.destination?.external ?? null,
      amountValue: input.amount?.value ?? null,
      amountCurrency: input.amount?.currency ?? null,
      payload: input.payload,
      context: input.context,
      idempotencyKey: input.idempotencyKey,
      revisionOf: revisionOf ? { id: revisionOf.id } : null,
      riskScore: risk.score,
      riskLevel: policy.level,
      riskFactors: risk.factors,
      behaviour,
      mode: policy.mode,
      policy: policy.policy,
      consequences: policy.consequences ? { ...policy.consequences } : null,
      notes: [...notes, ...policy.adjustments],
      governanceVersion: governance?.version ?? null,
      requiredApprovals: policy.requiredApprovals,
      status: ActionStatus.PENDING,
      statusReason: null,
      reviewStatus: null,
      route: null,
      chain: null,
      chainSnapshot: null,
      escalationLevel: null,
      escalationRound: 0,
      deadline: null,
      approvedPayload: null,
      receipt: null,
      decidedAt: null,
      outcomeStatus: null,
      outcomeDetail: null,
      outcomeResult: null,
      outcomeAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const audit: AuditEntry[] = [{
      kind: 'ACTION_SUBMITTED', subjectType: 'ACTION', subjectId: id, actorType: 'AGENT', actorId: agentId, at: now,
      data: {
        type: input.type, summary: input.summary, payloadHash: hash, risk: riskNow,
        mode: policy.mode, policy: policy.policy, governanceVersion: governance?.version ?? null, revisionOf: revisionOf?.id ?? null,
      },
    }];
    const end = (target: ActionRecord, status: ActionStatus, reason: StatusReason, kind: string, sentence: string) => {
      target.status = status;
      target.statusReason = reason;
      target.decidedAt = now;
      audit.push({ kind, subjectType: 'ACTION', subjectId: id, actorType: 'SYSTEM', actorId: null, at: now, data: { status, reason, detail: sentence } });
    };
    const approve = (target: ActionRecord, receipt: string) => {
      target.status = ActionStatus.APPROVED;
      target.statusReason = StatusReason.AUTO_APPROVED;
      target.decidedAt = now;
      target.approvedPayload = input.payload;
      target.receipt = receipt;
      audit.push({ kind: 'ACTION_APPROVED', subjectType: 'ACTION', subjectId: id, actorType: 'SYSTEM', actorId: null, at: now, data: { mode: policy.mode, payloadHash: hash } });
    };
    return { action, audit, end, approve };
  };

  /** Whether the judgement still stands at the commit; throws when it does not. */
  const assertJudgementHolds = (facts: CommitFacts) => {
    const current = facts.agents.get(agentId);
    if (!current || (snapshot && current.keyHash !== snapshot.keyHash)) {
      throw AppError.unauthenticated('The API key this request was made with is no longer valid (rotated, or the agent is gone).');
    }
    if (current.suspended !== agent.suspended || facts.governanceVersion !== governanceVersion) throw new StaleJudgement();
    if (grant && !grant.holds(current.grants)) throw new StaleJudgement();
  };

  try {
    return await services.writer.run(agentId, async (tx, facts) => {
      assertJudgementHolds(facts);
      const { action, audit, end, approve } = newSubmission();
      // Added first, so that its table is written before the assignments and timers that
      // refer to it; it is read at the flush, with everything decided below.
      tx.add(ActionRequest, action);

      const queueChanged: string[] = [];
      /** Routes and assigns level 1; false (and the request ended) when nobody can take it. */
      const assign = async (kind: AssignmentKind, escalates = false): Promise<boolean> => {
        if (!route) {
          end(action, ActionStatus.DENIED, StatusReason.NO_ROUTE, 'ACTION_DENIED', 'It needs a human and no route matches it, so it is denied (fail closed).');
          return false;
        }
        action.route = route.name;
        action.chain = route.chain;
        action.chainSnapshot = compiled!.chains.get(route.chain) as ChainSnapshot;
        // The directory as of the group's first statement: read again only if it changed.
        const directory = await services.directory.at(tx, facts.directoryVersion);
        const assigned = await assignNextLevel(tx, action, kind, {
          now,
          ownerId: agent.ownerId,
          policyRequiredApprovals: policy.requiredApprovals,
          aboutToExpireFraction: services.config.aboutToExpireFraction,
          grouping: services.grouping,
          directory,
          escalates,
        });
        if (!assigned.step) {
          const status = kind === AssignmentKind.APPROVAL ? ActionStatus.EXPIRED : ActionStatus.DENIED;
          end(action, status, StatusReason.NO_APPROVERS_AVAILABLE, status === ActionStatus.EXPIRED ? 'ACTION_EXPIRED' : 'ACTION_DENIED', `Nobody in chain ${route.chain} is available to ${kind === AssignmentKind.APPROVAL ? 'approve' : 'review'} it.`);
          return false;
        }
        if (kind === AssignmentKind.APPROVAL && action.requiredApprovals > assigned.step.assignees.length) {
          warnIfQuorumUnreachable(action, directory.approvers, agent.ownerId, now);
        }
        queueChanged.push(...assigned.added.map((a) => a.approverId));
        audit.push(...assigned.audit, {
          kind: 'ACTION_ASSIGNED', subjectType: 'ACTION', subjectId: id, actorType: 'SYSTEM', actorId: null, at: now,
          data: { route: route.name, chain: route.chain, level: action.escalationLevel, kind, deadline: action.deadline, ...assigned.recorded },
        });
        return true;
      };

      if (agent.suspended) {
        end(action, ActionStatus.DENIED, StatusReason.AGENT_SUSPENDED, 'ACTION_DENIED', `Agent ${agent.name} is suspended${agent.suspendedReason ? `: ${agent.suspendedReason}` : ''}.`);
      } else if (!(await breakGlass?.settle(tx, { action, audit, now, end, approve, assign }))) {
        switch (policy.mode) {
          case Mode.AUTO:
            approve(action, receipt!);
            break;
          case Mode.ASYNC_REVIEW:
            if (await assign(AssignmentKind.REVIEW)) {
              action.reviewStatus = ReviewStatus.UNREVIEWED;
              approve(action, receipt!);
            }
            break;
          case Mode.SYNC_APPROVAL:
            if (!(await grant?.apply(tx, { action, audit, queueChanged, directoryVersion: facts.directoryVersion, assignReview: () => assign(AssignmentKind.REVIEW) }))) await assign(AssignmentKind.APPROVAL);
            break;
          case Mode.BLOCK:
            end(action, ActionStatus.DENIED, StatusReason.BLOCKED_BY_POLICY, 'ACTION_DENIED', `Policy ${policy.policy ?? '(default)'} blocks it.`);
            break;
          default:
            assertNever(policy.mode);
        }
      }
      // A request decided at birth that entered no queue (AUTO, BLOCK, denied) has nobody
      // to tell: a subscriber gets its state on subscribe. Skipping its NOTIFY keeps the hot
      // path off PostgreSQL's notification queue lock.
      const quiet = action.status !== ActionStatus.PENDING && queueChanged.length === 0;
      return { value: action, audit, events: quiet ? [] : [{ actionId: id, agentId, queueChanged }] };
    });
  } catch (error) {
    // Two identical submissions raced: the other one won; answer with its request.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(em.fork(), agentId, input.idempotencyKey);
      if (existing) return sameRequestOrConflict(existing, input);
    }
    throw error;
  }
}

/**
 * Says at once, on the request, when its quorum cannot be reached by everyone its chain
 * could ever ask (counted without the agent's owner): it would otherwise wait to expire.
 */
function warnIfQuorumUnreachable(action: ActionRecord, directory: ApproverRef[], ownerId: string | null, now: Date): void {
  const chain = toLevelChain(action.chainSnapshot as ChainSnapshot);
  const people = reachableVoters(chain, directory, { at: now, actionType: action.type, excludeApproverIds: ownerId ? [ownerId] : [] });
  if (people >= action.requiredApprovals) return;
  action.statusReason = StatusReason.QUORUM_UNREACHABLE;
  action.notes = [
    ...action.notes,
    `It needs ${action.requiredApprovals} approvals, but only ${people} ${people === 1 ? 'person' : 'people'} in chain ${action.chain} may approve it` +
      `${ownerId ? " (the agent's owner may not)" : ''}: it will expire unless approvers are added.`,
  ];
}

async function findByIdempotencyKey(em: EntityManager, agentId: string, key: string): Promise<ActionRequest | null> {
  return em.findOne(ActionRequest, { agent: agentId, idempotencyKey: key });
}

/** A key reused for a different action is a client bug worth stopping, not silently answering. */
function sameRequestOrConflict(existing: ActionRequest, input: NormalizedAction): ActionRequest {
  if (existing.type !== input.type || payloadHash(existing.payload) !== payloadHash(input.payload)) {
    throw AppError.conflict(`idempotencyKey "${input.idempotencyKey}" was already used for a different request (${existing.id}).`, { field: 'idempotencyKey', actionId: existing.id });
  }
  return existing;
}

/** A revision must revise one of the agent's own requests on which changes were requested. */
async function findRevisable(em: EntityManager, agentId: string, id: string): Promise<ActionRequest> {
  const original = isUuid(id) ? await em.findOne(ActionRequest, { id, agent: agentId }) : null;
  if (!original) throw AppError.notFound('ActionRequest (revisionOf)', id);
  if (original.status !== ActionStatus.CHANGES_REQUESTED) {
    throw AppError.badInput(`revisionOf must name a request whose status is CHANGES_REQUESTED; ${id} is ${original.status}.`, 'revisionOf');
  }
  return original;
}
