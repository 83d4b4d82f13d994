/**
 * Every GraphQL document the CLI sends, in one module, so a single test can validate all
 * of them against the server's printed schema (`packages/server/schema.graphql`) and a
 * contract change shows up as a failing test rather than as a user's broken command.
 */
import { operation, type Operation } from './operation.js';
import type {
  ActionAfterDecision, ActionDetail, ActionSummary, Agent, AgentStatus, ApplyResult, Approver, AuditEvent, ChainVerification,
  Connection, Delegation, Governance, GovernanceVersion, Metrics, PageVariables, Principal, QueueEvent, Simulation,
} from './types.js';

const AGENT_FIELDS = /* GraphQL */ `
  fragment AgentFields on Agent {
    id name description tags status suspendedReason createdAt
    owner { id name }
  }`;

const APPROVER_FIELDS = /* GraphQL */ `
  fragment ApproverFields on Approver { id name email roles active createdAt }`;

const PAGE_INFO = 'pageInfo { hasNextPage endCursor } totalCount';

const ACTION_SUMMARY = /* GraphQL */ `
  fragment ActionSummaryFields on ActionRequest {
    id type operation summary status mode reviewStatus
    risk { score level }
    agent { id name }
    escalationLevel deadline requiredApprovals createdAt
  }`;

const DECISION_FIELDS = /* GraphQL */ `
  fragment DecisionFields on DecisionRecord {
    id
    approver { id name }
    onBehalfOf { id name }
    verdict comment at superseded
  }`;

const AUDIT_EVENT_FIELDS = /* GraphQL */ `
  fragment AuditEventFields on AuditEvent { seq at kind subjectType subjectId actorType actorId data hash prevHash }`;

const DELEGATION_FIELDS = /* GraphQL */ `
  fragment DelegationFields on Delegation {
    id startsAt endsAt roles actionTypes reason revokedAt createdAt active
    from { id name }
    to { id name }
  }`;

const CHANGE_FIELDS = 'changes { kind name op } warnings';

// --- who am I ---

export const ME = operation<{ me: Principal }>(/* GraphQL */ `
  query Me { me { kind id name roles } }`);

// --- principals ---

export const AGENTS = operation<{ agents: Connection<Agent> }, PageVariables & { status?: AgentStatus }>(/* GraphQL */ `
  query Agents($first: Int, $after: String, $status: AgentStatus) {
    agents(first: $first, after: $after, status: $status) { nodes { ...AgentFields } ${PAGE_INFO} }
  }
  ${AGENT_FIELDS}`);

export const CREATE_AGENT = operation<
  { createAgent: { agent: Agent; apiKey: string } },
  { input: { name: string; description?: string; tags?: string[]; ownerId?: string } }
>(/* GraphQL */ `
  mutation CreateAgent($input: CreateAgentInput!) {
    createAgent(input: $input) { agent { ...AgentFields } apiKey }
  }
  ${AGENT_FIELDS}`);

export const SUSPEND_AGENT = operation<{ suspendAgent: Agent }, { id: string; reason?: string }>(/* GraphQL */ `
  mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { ...AgentFields } }
  ${AGENT_FIELDS}`);

export const RESUME_AGENT = operation<{ resumeAgent: Agent }, { id: string }>(/* GraphQL */ `
  mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { ...AgentFields } }
  ${AGENT_FIELDS}`);

export const ROTATE_AGENT_KEY = operation<{ rotateAgentKey: { agent: Agent; apiKey: string } }, { id: string }>(/* GraphQL */ `
  mutation RotateAgentKey($id: ID!) { rotateAgentKey(id: $id) { agent { ...AgentFields } apiKey } }
  ${AGENT_FIELDS}`);

export const APPROVERS = operation<{ approvers: Connection<Approver> }, PageVariables & { role?: string }>(/* GraphQL */ `
  query Approvers($first: Int, $after: String, $role: String) {
    approvers(first: $first, after: $after, role: $role) { nodes { ...ApproverFields } ${PAGE_INFO} }
  }
  ${APPROVER_FIELDS}`);

export const CREATE_APPROVER = operation<
  { createApprover: { approver: Approver; token: string } },
  { input: { name: string; email?: string; roles?: string[] } }
>(/* GraphQL */ `
  mutation CreateApprover($input: CreateApproverInput!) {
    createApprover(input: $input) { approver { ...ApproverFields } token }
  }
  ${APPROVER_FIELDS}`);

export const UPDATE_APPROVER = operation<
  { updateApprover: Approver },
  { id: string; input: { email?: string; roles?: string[]; active?: boolean } }
>(/* GraphQL */ `
  mutation UpdateApprover($id: ID!, $input: UpdateApproverInput!) {
    updateApprover(id: $id, input: $input) { ...ApproverFields }
  }
  ${APPROVER_FIELDS}`);

export const ROTATE_APPROVER_TOKEN = operation<{ rotateApproverToken: { approver: Approver; token: string } }, { id: string }>(/* GraphQL */ `
  mutation RotateApproverToken($id: ID!) { rotateApproverToken(id: $id) { approver { ...ApproverFields } token } }
  ${APPROVER_FIELDS}`);

export const REVOKE_ADMIN_TOKEN = operation<{ revokeAdminToken: { id: string; name: string; createdAt: string; revokedAt: string | null } }, { id: string }>(/* GraphQL */ `
  mutation RevokeAdminToken($id: ID!) { revokeAdminToken(id: $id) { id name createdAt revokedAt } }`);

export const CREATE_ADMIN_TOKEN = operation<
  { createAdminToken: { adminToken: { id: string; name: string; createdAt: string }; token: string } },
  { name: string }
>(/* GraphQL */ `
  mutation CreateAdminToken($name: String!) { createAdminToken(name: $name) { adminToken { id name createdAt } token } }`);

// --- delegations ---

export const DELEGATIONS = operation<{ delegations: Connection<Delegation> }, PageVariables & { approverId?: string }>(/* GraphQL */ `
  query Delegations($first: Int, $after: String, $approverId: ID) {
    delegations(first: $first, after: $after, approverId: $approverId) { nodes { ...DelegationFields } ${PAGE_INFO} }
  }
  ${DELEGATION_FIELDS}`);

export interface DelegationInput {
  readonly toApproverId: string;
  readonly fromApproverId?: string;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly roles?: string[];
  readonly actionTypes?: string[];
  readonly reason?: string;
}

export const CREATE_DELEGATION = operation<{ createDelegation: Delegation }, { input: DelegationInput }>(/* GraphQL */ `
  mutation CreateDelegation($input: DelegationInput!) { createDelegation(input: $input) { ...DelegationFields } }
  ${DELEGATION_FIELDS}`);

export const REVOKE_DELEGATION = operation<{ revokeDelegation: Delegation }, { id: string }>(/* GraphQL */ `
  mutation RevokeDelegation($id: ID!) { revokeDelegation(id: $id) { ...DelegationFields } }
  ${DELEGATION_FIELDS}`);

// --- governance as code ---

export const GOVERNANCE = operation<{ governance: Governance }>(/* GraphQL */ `
  query Governance {
    governance { version document current { appliedAt appliedBy warnings } }
  }`);

export const GOVERNANCE_HISTORY = operation<{ governance: { history: readonly GovernanceVersion[] } }>(/* GraphQL */ `
  query GovernanceHistory {
    governance { history { version appliedAt appliedBy ${CHANGE_FIELDS} } }
  }`);

export const APPLY_GOVERNANCE = operation<{ applyGovernance: ApplyResult }, { document: string; dryRun: boolean }>(/* GraphQL */ `
  mutation ApplyGovernance($document: String!, $dryRun: Boolean) {
    applyGovernance(document: $document, dryRun: $dryRun) { version applied ${CHANGE_FIELDS} }
  }`);

export const SIMULATE_GOVERNANCE = operation<{ simulateGovernance: Simulation }, { document: string; since?: string; first?: number }>(/* GraphQL */ `
  query SimulateGovernance($document: String!, $since: DateTime, $first: Int) {
    simulateGovernance(document: $document, since: $since, first: $first) {
      since evaluated truncated changed modeChanged levelChanged routeChanged noRoute
      byMode { mode count }
      currentByMode { mode count }
      transitions { from to count }
      changes {
        actionId type summary createdAt status
        fromMode toMode fromLevel toLevel fromScore toScore fromPolicy toPolicy fromRoute toRoute noRoute
        agent { id name }
      }
      evaluationNotes { message count }
    }
  }`);

// --- approving ---

export const APPROVAL_QUEUE = operation<{ approvalQueue: Connection<ActionSummary> }, PageVariables>(/* GraphQL */ `
  query ApprovalQueue($first: Int, $after: String) {
    approvalQueue(first: $first, after: $after) { nodes { ...ActionSummaryFields } ${PAGE_INFO} }
  }
  ${ACTION_SUMMARY}`);

/** The filters of the API's `actions` query (admins). */
export interface ActionFilter {
  readonly agentId?: string;
  readonly status?: readonly string[];
  readonly mode?: readonly string[];
  readonly level?: readonly string[];
  readonly type?: string;
  readonly since?: string;
  readonly until?: string;
}

export const ACTIONS = operation<{ actions: Connection<ActionSummary> }, PageVariables & { filter: ActionFilter }>(/* GraphQL */ `
  query Actions($first: Int, $after: String, $filter: ActionFilter) {
    actions(first: $first, after: $after, filter: $filter) { nodes { ...ActionSummaryFields } ${PAGE_INFO} }
  }
  ${ACTION_SUMMARY}`);

/** Who is asking (what `show` may offer them) and the approvers' names (for the timeline). */
export const SHOW_CONTEXT = operation<{ me: Principal; approvers: { nodes: readonly { id: string; name: string }[] } }>(/* GraphQL */ `
  query ShowContext { me { kind id name roles } approvers(first: 500) { nodes { id name } } }`);

export const REVIEW_QUEUE = operation<{ reviewQueue: Connection<ActionSummary> }, PageVariables>(/* GraphQL */ `
  query ReviewQueue($first: Int, $after: String) {
    reviewQueue(first: $first, after: $after) { nodes { ...ActionSummaryFields } ${PAGE_INFO} }
  }
  ${ACTION_SUMMARY}`);

/** A past request in brief: what was asked, how it ended and who decided. */
const ACTION_DIGEST = /* GraphQL */ `
  fragment ActionDigestFields on ActionDigest {
    id type operation summary resource
    amount { value currency }
    risk { score level }
    mode status statusReason reviewStatus policy createdAt decidedAt
    agent { id name }
    decisions { verdict comment at approver { id name } onBehalfOf { id name } }
  }`;

/**
 * One request with everything an approver needs, in one round trip: the request, the
 * agent's recent requests and baseline, similar past requests and how they were decided,
 * and for a revision what changed. Approvers may read all of it for what reaches them.
 */
export const ACTION = operation<{ action: ActionDetail }, { id: string; recent: number; similar: number }>(/* GraphQL */ `
  query Action($id: ID!, $recent: Int!, $similar: Int!) {
    action(id: $id) {
      ...ActionSummaryFields
      justification expectedOutcome resource dataClassification dataCategories recordCount
      destination { system external }
      amount { value currency }
      payload context
      risk { score level factors { dimension points detail } }
      policy consequences { approve deny } route chain governanceVersion statusReason notes receipt
      assignees { approver { id name } onBehalfOf { id name } viaRole level }
      decisions { ...DecisionFields }
      reviews { id verdict comment at approver { id name } onBehalfOf { id name } }
      approvedPayload
      candidatePayload
      revisionOf { id summary status createdAt }
      revisionChanges {
        requestedChanges { ...DecisionFields modifiedPayload }
        fields { field before after }
        payload { path change before after }
        payloadTruncated followsSuggestion
      }
      similar(first: $similar) {
        sameAgent { ...ActionDigestFields }
        otherAgents { ...ActionDigestFields }
      }
      agent {
        id name tags status suspendedReason
        owner { id name }
        recentActions(first: $recent) { ...ActionDigestFields }
        baseline {
          since firstSeenAt requests actionsPerHour requestsLastHour
          byMode { mode count }
          humanDecisions approvalRate denialRate changesRequestedRate
          reviewed flagRate blocked expired
          usualAmounts { type currency p50 p95 samples }
        }
      }
      outcome { status detail at }
      auditTrail { ...AuditEventFields }
      decidedAt updatedAt
    }
  }
  ${ACTION_SUMMARY}
  ${DECISION_FIELDS}
  ${ACTION_DIGEST}
  ${AUDIT_EVENT_FIELDS}`);

export interface DecisionInput {
  readonly actionId: string;
  readonly verdict: 'APPROVE' | 'DENY' | 'REQUEST_CHANGES';
  readonly comment?: string;
  readonly modifiedPayload?: unknown;
}

const AFTER_DECISION = 'id status reviewStatus requiredApprovals decisions { ...DecisionFields }';

export const DECIDE = operation<{ decide: ActionAfterDecision }, { input: DecisionInput }>(/* GraphQL */ `
  mutation Decide($input: DecisionInput!) { decide(input: $input) { ${AFTER_DECISION} } }
  ${DECISION_FIELDS}`);

export interface ReviewInput {
  readonly actionId: string;
  readonly verdict: 'ACKNOWLEDGE' | 'FLAG';
  readonly comment?: string;
}

export const REVIEW = operation<{ review: ActionAfterDecision }, { input: ReviewInput }>(/* GraphQL */ `
  mutation Review($input: ReviewInput!) { review(input: $input) { ${AFTER_DECISION} } }
  ${DECISION_FIELDS}`);

export const APPROVAL_QUEUE_UPDATED = operation<{ approvalQueueUpdated: QueueEvent }>(/* GraphQL */ `
  subscription ApprovalQueueUpdated {
    approvalQueueUpdated { actionId inQueue action { ...ActionSummaryFields } }
  }
  ${ACTION_SUMMARY}`);

// --- oversight ---

export const METRICS = operation<{ metrics: Metrics }, { window?: string; bucket?: string; until?: string }>(/* GraphQL */ `
  query Metrics($window: String, $bucket: String, $until: DateTime) {
    metrics(window: $window, bucket: $bucket, until: $until) {
      window bucket since until
      submitted
      byMode { mode count }
      byStatus { status count }
      byModeAndStatus { mode status count }
      pending oldestPendingSince unreviewed
      decided approved denied changesRequested approvalRate denialRate changesRequestedRate
      decisionLatency { count p50 p90 p95 p99 mean }
      escalations escalated escalationRate expired expiryRate
      series {
        at submitted auto asyncReview syncApproval blocked
        decided approved denied changesRequested expired escalations
        decisionLatencyP50 decisionLatencyP90 queueDepth
      }
      approvers {
        approver { id name }
        decisions approved denied changesRequested approveRate medianSecondsToDecide quickApprovals
        pending toReview assigned reviews flags
        series { at decisions approved }
      }
      policies {
        policy submitted byMode { mode count }
        decided approved denied changesRequested expired approvalRate decisionLatencyP50
        levels { level decided approved approvalRate }
        series { at submitted decided approved }
      }
      chains { chain resolved decided expired timedOut noApproversAvailable escalated expiryRate escalationRate decisionLatencyP50 }
      roles { role members decisions shares { approver { id name } decisions share } }
      alerts { kind severity subject message suggestion evidence }
    }
  }`);

export const VERIFY_AUDIT_CHAIN = operation<{ verifyAuditChain: ChainVerification }>(/* GraphQL */ `
  query VerifyAuditChain { verifyAuditChain { valid checked brokenAt } }`);

export interface AuditFilter {
  readonly since?: string;
  readonly until?: string;
  readonly subjectId?: string;
  readonly kind?: readonly string[];
}

export const AUDIT_LOG = operation<{ auditLog: Connection<AuditEvent> }, PageVariables & { filter: AuditFilter }>(/* GraphQL */ `
  query AuditLog($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) { nodes { ...AuditEventFields } ${PAGE_INFO} }
  }
  ${AUDIT_EVENT_FIELDS}`);

/** Every operation above, for the schema test. */
export const ALL_OPERATIONS: readonly Operation<unknown, never>[] = [
  ME, CREATE_ADMIN_TOKEN, REVOKE_ADMIN_TOKEN, ROTATE_APPROVER_TOKEN, AGENTS, CREATE_AGENT, SUSPEND_AGENT, RESUME_AGENT, ROTATE_AGENT_KEY, APPROVERS, CREATE_APPROVER, UPDATE_APPROVER,
  DELEGATIONS, CREATE_DELEGATION, REVOKE_DELEGATION, GOVERNANCE, GOVERNANCE_HISTORY, APPLY_GOVERNANCE, SIMULATE_GOVERNANCE,
  APPROVAL_QUEUE, REVIEW_QUEUE, ACTIONS, SHOW_CONTEXT, ACTION, DECIDE, REVIEW, APPROVAL_QUEUE_UPDATED, METRICS, VERIFY_AUDIT_CHAIN, AUDIT_LOG,
] as readonly Operation<unknown, never>[];
