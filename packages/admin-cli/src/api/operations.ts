/**
 * Every GraphQL document the CLI sends, in one module, so a single test can validate all
 * of them against the server's printed schema (`packages/server/schema.graphql`) and a
 * contract change shows up as a failing test rather than as a user's broken command.
 *
 * Their result and variable types are generated from these documents into
 * `generated/graphql.ts` (`pnpm --filter @countersign/admin-cli codegen`). The generator
 * reads each template marked with a GraphQL comment and drops its `${...}` parts, so
 * interpolate only fragments that are themselves marked documents in this file; a
 * test fails when the generated types are stale or differ from what is sent.
 */
import { operation, type Operation } from './operation.js';
import type * as Generated from './generated/graphql.js';

const AGENT_FIELDS = /* GraphQL */ `
  fragment AgentFields on Agent {
    id name description tags status suspendedReason createdAt
    owner { id name }
  }`;

const APPROVER_FIELDS = /* GraphQL */ `
  fragment ApproverFields on Approver { id name email slackUserId roles active createdAt }`;

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

const GRANT_FIELDS = /* GraphQL */ `
  fragment GrantFields on Grant {
    id actionType when maxAmount { value currency } sameDestination destination { system external } sameArguments payloadHash
    maxUses uses expiresAt revokedAt reason createdAt active
    agent { id name }
    grantedBy { kind id name }
    fromAction { id }
  }`;

// --- who am I ---

export const ME = operation<Generated.MeQuery, Generated.MeQueryVariables>(/* GraphQL */ `
  query Me { me { kind id name roles } }`);

// --- principals ---

export const AGENTS = operation<Generated.AgentsQuery, Generated.AgentsQueryVariables>(/* GraphQL */ `
  query Agents($first: Int, $after: String, $status: AgentStatus) {
    agents(first: $first, after: $after, status: $status) { nodes { ...AgentFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${AGENT_FIELDS}`);

export const CREATE_AGENT = operation<Generated.CreateAgentMutation, Generated.CreateAgentMutationVariables>(/* GraphQL */ `
  mutation CreateAgent($input: CreateAgentInput!) {
    createAgent(input: $input) { agent { ...AgentFields } apiKey }
  }
  ${AGENT_FIELDS}`);

export const SUSPEND_AGENT = operation<Generated.SuspendAgentMutation, Generated.SuspendAgentMutationVariables>(/* GraphQL */ `
  mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { ...AgentFields } }
  ${AGENT_FIELDS}`);

export const RESUME_AGENT = operation<Generated.ResumeAgentMutation, Generated.ResumeAgentMutationVariables>(/* GraphQL */ `
  mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { ...AgentFields } }
  ${AGENT_FIELDS}`);

export const ROTATE_AGENT_KEY = operation<Generated.RotateAgentKeyMutation, Generated.RotateAgentKeyMutationVariables>(/* GraphQL */ `
  mutation RotateAgentKey($id: ID!) { rotateAgentKey(id: $id) { agent { ...AgentFields } apiKey } }
  ${AGENT_FIELDS}`);

export const APPROVERS = operation<Generated.ApproversQuery, Generated.ApproversQueryVariables>(/* GraphQL */ `
  query Approvers($first: Int, $after: String, $role: String) {
    approvers(first: $first, after: $after, role: $role) { nodes { ...ApproverFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${APPROVER_FIELDS}`);

export const CREATE_APPROVER = operation<Generated.CreateApproverMutation, Generated.CreateApproverMutationVariables>(/* GraphQL */ `
  mutation CreateApprover($input: CreateApproverInput!) {
    createApprover(input: $input) { approver { ...ApproverFields } token }
  }
  ${APPROVER_FIELDS}`);

export const UPDATE_APPROVER = operation<Generated.UpdateApproverMutation, Generated.UpdateApproverMutationVariables>(/* GraphQL */ `
  mutation UpdateApprover($id: ID!, $input: UpdateApproverInput!) {
    updateApprover(id: $id, input: $input) { ...ApproverFields }
  }
  ${APPROVER_FIELDS}`);

export const ROTATE_APPROVER_TOKEN = operation<Generated.RotateApproverTokenMutation, Generated.RotateApproverTokenMutationVariables>(/* GraphQL */ `
  mutation RotateApproverToken($id: ID!) { rotateApproverToken(id: $id) { approver { ...ApproverFields } token } }
  ${APPROVER_FIELDS}`);

export const REVOKE_ADMIN_TOKEN = operation<Generated.RevokeAdminTokenMutation, Generated.RevokeAdminTokenMutationVariables>(/* GraphQL */ `
  mutation RevokeAdminToken($id: ID!) { revokeAdminToken(id: $id) { id name createdAt revokedAt } }`);

export const CREATE_ADMIN_TOKEN = operation<Generated.CreateAdminTokenMutation, Generated.CreateAdminTokenMutationVariables>(/* GraphQL */ `
  mutation CreateAdminToken($name: String!) { createAdminToken(name: $name) { adminToken { id name createdAt } token } }`);

// --- delegations ---

export const DELEGATIONS = operation<Generated.DelegationsQuery, Generated.DelegationsQueryVariables>(/* GraphQL */ `
  query Delegations($first: Int, $after: String, $approverId: ID) {
    delegations(first: $first, after: $after, approverId: $approverId) { nodes { ...DelegationFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${DELEGATION_FIELDS}`);

export const CREATE_DELEGATION = operation<Generated.CreateDelegationMutation, Generated.CreateDelegationMutationVariables>(/* GraphQL */ `
  mutation CreateDelegation($input: DelegationInput!) { createDelegation(input: $input) { ...DelegationFields } }
  ${DELEGATION_FIELDS}`);

export const REVOKE_DELEGATION = operation<Generated.RevokeDelegationMutation, Generated.RevokeDelegationMutationVariables>(/* GraphQL */ `
  mutation RevokeDelegation($id: ID!) { revokeDelegation(id: $id) { ...DelegationFields } }
  ${DELEGATION_FIELDS}`);

// --- standing approvals ---

export const GRANTS = operation<Generated.GrantsQuery, Generated.GrantsQueryVariables>(/* GraphQL */ `
  query Grants($first: Int, $after: String, $filter: GrantFilter) {
    grants(first: $first, after: $after, filter: $filter) { nodes { ...GrantFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${GRANT_FIELDS}`);

export const CREATE_GRANT = operation<Generated.CreateGrantMutation, Generated.CreateGrantMutationVariables>(/* GraphQL */ `
  mutation CreateGrant($input: CreateGrantInput!) { createGrant(input: $input) { ...GrantFields } }
  ${GRANT_FIELDS}`);

export const REVOKE_GRANT = operation<Generated.RevokeGrantMutation, Generated.RevokeGrantMutationVariables>(/* GraphQL */ `
  mutation RevokeGrant($id: ID!) { revokeGrant(id: $id) { ...GrantFields } }
  ${GRANT_FIELDS}`);

// --- governance as code ---

export const GOVERNANCE = operation<Generated.GovernanceQuery, Generated.GovernanceQueryVariables>(/* GraphQL */ `
  query Governance {
    governance { version document current { appliedAt appliedBy warnings } }
  }`);

export const GOVERNANCE_HISTORY = operation<Generated.GovernanceHistoryQuery, Generated.GovernanceHistoryQueryVariables>(/* GraphQL */ `
  query GovernanceHistory {
    governance { history { version appliedAt appliedBy changes { kind name op } warnings } }
  }`);

export const APPLY_GOVERNANCE = operation<Generated.ApplyGovernanceMutation, Generated.ApplyGovernanceMutationVariables>(/* GraphQL */ `
  mutation ApplyGovernance($document: String!, $dryRun: Boolean) {
    applyGovernance(document: $document, dryRun: $dryRun) { version applied changes { kind name op } warnings }
  }`);

export const SIMULATE_GOVERNANCE = operation<Generated.SimulateGovernanceQuery, Generated.SimulateGovernanceQueryVariables>(/* GraphQL */ `
  query SimulateGovernance($document: String!, $since: DateTime, $first: Int) {
    simulateGovernance(document: $document, since: $since, first: $first) {
      since evaluated truncated changed modeChanged levelChanged routeChanged noRoute grantable breakGlassRefused
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

export const APPROVAL_QUEUE = operation<Generated.ApprovalQueueQuery, Generated.ApprovalQueueQueryVariables>(/* GraphQL */ `
  query ApprovalQueue($first: Int, $after: String) {
    approvalQueue(first: $first, after: $after) { nodes { ...ActionSummaryFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${ACTION_SUMMARY}`);

export const ACTIONS = operation<Generated.ActionsQuery, Generated.ActionsQueryVariables>(/* GraphQL */ `
  query Actions($first: Int, $after: String, $filter: ActionFilter) {
    actions(first: $first, after: $after, filter: $filter) { nodes { ...ActionSummaryFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${ACTION_SUMMARY}`);

/** Who is asking (what `show` may offer them) and the approvers' names (for the timeline). */
export const SHOW_CONTEXT = operation<Generated.ShowContextQuery, Generated.ShowContextQueryVariables>(/* GraphQL */ `
  query ShowContext { me { kind id name roles } approvers(first: 500) { nodes { id name } } }`);

export const REVIEW_QUEUE = operation<Generated.ReviewQueueQuery, Generated.ReviewQueueQueryVariables>(/* GraphQL */ `
  query ReviewQueue($first: Int, $after: String) {
    reviewQueue(first: $first, after: $after) { nodes { ...ActionSummaryFields } pageInfo { hasNextPage endCursor } totalCount }
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
export const ACTION = operation<Generated.ActionQuery, Generated.ActionQueryVariables>(/* GraphQL */ `
  query Action($id: ID!, $recent: Int!, $similar: Int!) {
    action(id: $id) {
      ...ActionSummaryFields
      justification expectedOutcome resource dataClassification dataCategories recordCount
      destination { system external }
      amount { value currency }
      payload context
      risk { score level factors { dimension points detail } }
      policy consequences { approve deny } route chain governanceVersion statusReason notes receipt
      grant { id actionType uses maxUses expiresAt revokedAt grantedBy { kind name } }
      breakGlass { justification used reviewOverdueSince }
      assignees { approver { id name } onBehalfOf { id name } viaRole level }
      decisions { ...DecisionFields }
      reviews { id verdict comment at approver { id name } onBehalfOf { id name } }
      approvedPayload
      candidatePayload candidatePayloadHash
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

/** What an approval is for, read just before it is sent: the payload up for approval and its hash. */
export const APPROVAL_CANDIDATE = operation<Generated.ApprovalCandidateQuery, Generated.ApprovalCandidateQueryVariables>(/* GraphQL */ `
  query ApprovalCandidate($id: ID!) {
    action(id: $id) { id summary status payload candidatePayload candidatePayloadHash approvals requiredApprovals }
  }`);

export const DECIDE = operation<Generated.DecideMutation, Generated.DecideMutationVariables>(/* GraphQL */ `
  mutation Decide($input: DecisionInput!) { decide(input: $input) { id status reviewStatus requiredApprovals decisions { ...DecisionFields } } }
  ${DECISION_FIELDS}`);

export const REVIEW = operation<Generated.ReviewMutation, Generated.ReviewMutationVariables>(/* GraphQL */ `
  mutation Review($input: ReviewInput!) { review(input: $input) { id status reviewStatus requiredApprovals decisions { ...DecisionFields } } }
  ${DECISION_FIELDS}`);

export const APPROVAL_QUEUE_UPDATED = operation<Generated.ApprovalQueueUpdatedSubscription, Generated.ApprovalQueueUpdatedSubscriptionVariables>(/* GraphQL */ `
  subscription ApprovalQueueUpdated {
    approvalQueueUpdated { actionId inQueue action { ...ActionSummaryFields } }
  }
  ${ACTION_SUMMARY}`);

// --- oversight ---

export const METRICS = operation<Generated.MetricsQuery, Generated.MetricsQueryVariables>(/* GraphQL */ `
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
      escalations escalated escalationRate expired expiryRate breakGlassUses breakGlassRefused
      grants { uses granted grantedShare active created revoked reviews flagged }
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

export const VERIFY_AUDIT_CHAIN = operation<Generated.VerifyAuditChainQuery, Generated.VerifyAuditChainQueryVariables>(/* GraphQL */ `
  query VerifyAuditChain { verifyAuditChain { valid checked brokenAt } }`);

export const AUDIT_LOG = operation<Generated.AuditLogQuery, Generated.AuditLogQueryVariables>(/* GraphQL */ `
  query AuditLog($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) { nodes { ...AuditEventFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${AUDIT_EVENT_FIELDS}`);

// --- notifications ---

const NOTIFICATION_PREFERENCES = /* GraphQL */ `
  fragment NotificationPreferencesFields on NotificationPreferences {
    emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled
  }`;

export const MY_NOTIFICATIONS = operation<Generated.MyNotificationsQuery, Generated.MyNotificationsQueryVariables>(/* GraphQL */ `
  query MyNotifications { me { kind name approver { notificationPreferences { ...NotificationPreferencesFields } } } }
  ${NOTIFICATION_PREFERENCES}`);

export const UPDATE_MY_NOTIFICATIONS = operation<Generated.UpdateMyNotificationsMutation, Generated.UpdateMyNotificationsMutationVariables>(/* GraphQL */ `
  mutation UpdateMyNotifications($input: NotificationPreferencesInput!) {
    updateMyNotifications(input: $input) { ...NotificationPreferencesFields }
  }
  ${NOTIFICATION_PREFERENCES}`);

const DELIVERY_FIELDS = /* GraphQL */ `
  fragment NotificationDeliveryFields on NotificationDelivery {
    id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt
    recipient { id name }
    webhook { id url }
  }`;

export const NOTIFICATION_DELIVERIES = operation<Generated.NotificationDeliveriesQuery, Generated.NotificationDeliveriesQueryVariables>(/* GraphQL */ `
  query NotificationDeliveries($first: Int, $after: String, $filter: NotificationDeliveryFilter) {
    notificationDeliveries(first: $first, after: $after, filter: $filter) { nodes { ...NotificationDeliveryFields } pageInfo { hasNextPage endCursor } totalCount }
  }
  ${DELIVERY_FIELDS}`);

export const RETRY_NOTIFICATION_DELIVERY = operation<Generated.RetryNotificationDeliveryMutation, Generated.RetryNotificationDeliveryMutationVariables>(/* GraphQL */ `
  mutation RetryNotificationDelivery($id: ID!) { retryNotificationDelivery(id: $id) { ...NotificationDeliveryFields } }
  ${DELIVERY_FIELDS}`);

/** Every operation above, for the schema test. */
export const ALL_OPERATIONS: readonly Operation<unknown, never>[] = [
  ME, CREATE_ADMIN_TOKEN, REVOKE_ADMIN_TOKEN, ROTATE_APPROVER_TOKEN, AGENTS, CREATE_AGENT, SUSPEND_AGENT, RESUME_AGENT, ROTATE_AGENT_KEY, APPROVERS, CREATE_APPROVER, UPDATE_APPROVER,
  DELEGATIONS, CREATE_DELEGATION, REVOKE_DELEGATION, GRANTS, CREATE_GRANT, REVOKE_GRANT, GOVERNANCE, GOVERNANCE_HISTORY, APPLY_GOVERNANCE, SIMULATE_GOVERNANCE,
  APPROVAL_QUEUE, REVIEW_QUEUE, ACTIONS, SHOW_CONTEXT, ACTION, APPROVAL_CANDIDATE, DECIDE, REVIEW, APPROVAL_QUEUE_UPDATED, METRICS, VERIFY_AUDIT_CHAIN, AUDIT_LOG,
  MY_NOTIFICATIONS, UPDATE_MY_NOTIFICATIONS, NOTIFICATION_DELIVERIES, RETRY_NOTIFICATION_DELIVERY,
] as readonly Operation<unknown, never>[];
