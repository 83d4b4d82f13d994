/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Agents {\n    agents(first: 200) {\n      totalCount\n      nodes { id name description tags status suspendedReason createdAt owner { name } baseline { requestsLastHour approvalRate } }\n    }\n  }\n": typeof types.AgentsDocument,
    "mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { id status suspendedReason } }": typeof types.SuspendAgentDocument,
    "mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { id status suspendedReason } }": typeof types.ResumeAgentDocument,
    "\n  query AuditLog($after: String, $subjectId: String) {\n    auditLog(first: 100, after: $after, filter: { subjectId: $subjectId }) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at kind subjectType subjectId actorType actorId hash }\n    }\n  }\n": typeof types.AuditLogDocument,
    "query VerifyAudit { verifyAuditChain { valid checked brokenAt } }": typeof types.VerifyAuditDocument,
    "\n  query Deliveries($filter: NotificationDeliveryFilter, $first: Int) {\n    notificationDeliveries(filter: $filter, first: $first) {\n      totalCount\n      nodes {\n        id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt\n        recipient { id name }\n        webhook { id url }\n      }\n    }\n  }\n": typeof types.DeliveriesDocument,
    "mutation RetryDelivery($id: ID!) { retryNotificationDelivery(id: $id) { id status attempts nextAttemptAt } }": typeof types.RetryDeliveryDocument,
    "\n  query GovernanceHistory {\n    governance {\n      version\n      history { version document appliedBy appliedAt warnings changes { kind name op } }\n    }\n  }\n": typeof types.GovernanceHistoryDocument,
    "\n  query Oversight($window: String) {\n    metrics(window: $window) {\n      window bucket since until\n      submitted pending unreviewed decided approved denied changesRequested\n      approvalRate escalations expired escalationRate\n      decisionLatency { p50 p90 }\n      series { at decided approved queueDepth escalations decisionLatencyP50 }\n      alerts { kind severity subject message suggestion }\n    }\n  }\n": typeof types.OversightDocument,
    "\n  fragment GrantFields on Grant {\n    id actionType when\n    maxAmount { value currency }\n    sameDestination destination { system external }\n    sameArguments maxUses uses expiresAt revokedAt reason createdAt active\n    agent { id name }\n    grantedBy { kind id name }\n    fromAction { id summary }\n  }\n": typeof types.GrantFieldsFragmentDoc,
    "\n  subscription QueueUpdates {\n    approvalQueueUpdated { actionId inQueue }\n  }\n": typeof types.QueueUpdatesDocument,
    "\n  query ActionPage($id: ID!) {\n    action(id: $id) {\n      id type operation summary justification expectedOutcome resource\n      dataClassification dataCategories recordCount\n      destination { system external }\n      amount { value currency }\n      payload context\n      risk { score level factors { dimension points detail } }\n      mode status statusReason reviewStatus policy\n      consequences { approve deny }\n      notes route chain escalationLevel deadline requiredApprovals governanceVersion\n      approvedPayload candidatePayload candidatePayloadHash receipt\n      outcome { status detail at }\n      createdAt updatedAt decidedAt\n      agent {\n        id name description status\n        baseline {\n          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate reviewed flagRate blocked expired\n          usualAmounts { type currency p50 p95 samples }\n        }\n        recentActions(first: 8) { id summary status mode createdAt risk { level score } }\n      }\n      revisionOf { id summary status }\n      revisionChanges {\n        requestedChanges { comment approver { name } }\n        fields { field before after }\n        payload { path change before after }\n        payloadTruncated followsSuggestion\n      }\n      assignees { level viaRole approver { id name } onBehalfOf { id name } }\n      approvals\n      decisions { verdict comment modifiedPayload superseded at approver { id name } onBehalfOf { id name } }\n      reviews { verdict comment at approver { id name } onBehalfOf { id name } }\n      auditTrail { seq at kind actorType actorId data }\n      grant { ...GrantFields }\n      grantOffer { allowed reason maxTtl }\n      breakGlass { justification used reviewOverdueSince }\n      similar(first: 5) {\n        sameAgent { id summary status createdAt decidedAt amount { value currency } decisions { verdict approver { name } } }\n        otherAgents { id summary status createdAt decidedAt amount { value currency } agent { name } decisions { verdict approver { name } } }\n      }\n    }\n  }\n": typeof types.ActionPageDocument,
    "\n  subscription ActionChanged($id: ID!) {\n    actionUpdated(id: $id) { id status updatedAt }\n  }\n": typeof types.ActionChangedDocument,
    "\n  mutation Decide($input: DecisionInput!) {\n    decide(input: $input) { id status }\n  }\n": typeof types.DecideDocument,
    "\n  query Delegations {\n    me { id roles kind }\n    approvers(first: 500) { nodes { id name roles active } }\n    delegations(first: 100) {\n      nodes { id startsAt endsAt roles actionTypes reason active revokedAt from { id name } to { id name } }\n    }\n  }\n": typeof types.DelegationsDocument,
    "\n  mutation CreateDelegation($input: DelegationInput!) {\n    createDelegation(input: $input) { id }\n  }\n": typeof types.CreateDelegationDocument,
    "\n  mutation RevokeDelegation($id: ID!) {\n    revokeDelegation(id: $id) { id revokedAt }\n  }\n": typeof types.RevokeDelegationDocument,
    "\n  query Grants($filter: GrantFilter, $first: Int) {\n    grants(filter: $filter, first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes { ...GrantFields }\n    }\n  }\n": typeof types.GrantsDocument,
    "\n  mutation RevokeGrant($id: ID!) {\n    revokeGrant(id: $id) { ...GrantFields }\n  }\n": typeof types.RevokeGrantDocument,
    "\n  query MyDecisions($first: Int) {\n    myDecisions(first: $first) {\n      totalCount\n      nodes {\n        id summary type status\n        risk { level score }\n        agent { name }\n        decisions { verdict comment at approver { id } onBehalfOf { name } }\n      }\n    }\n  }\n": typeof types.MyDecisionsDocument,
    "\n  query ApprovalQueue($first: Int) {\n    approvalQueue(first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes {\n        id\n        type\n        summary\n        deadline\n        createdAt\n        requiredApprovals\n        escalationLevel\n        amount { value currency }\n        risk { score level }\n        agent { id name }\n        approvals\n        assignees { onBehalfOf { id name } approver { id } }\n      }\n    }\n  }\n": typeof types.ApprovalQueueDocument,
    "\n  query ReviewQueue($first: Int) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        id type summary createdAt deadline statusReason amount { value currency } risk { score level } agent { name } policy\n        breakGlass { justification used reviewOverdueSince }\n        grant { id uses maxUses grantedBy { id name } }\n      }\n    }\n  }\n": typeof types.ReviewQueueDocument,
    "\n  mutation Review($input: ReviewInput!) {\n    review(input: $input) { id reviewStatus }\n  }\n": typeof types.ReviewDocument,
    "\n  query Settings {\n    me {\n      kind\n      approver {\n        id\n        notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n      }\n    }\n  }\n": typeof types.SettingsDocument,
    "\n  mutation UpdateNotifications($input: NotificationPreferencesInput!) {\n    updateMyNotifications(input: $input) { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n  }\n": typeof types.UpdateNotificationsDocument,
    "\n  query MySlack {\n    me { kind approver { id slackUserId } }\n  }\n": typeof types.MySlackDocument,
    "\n  mutation SetMySlack($id: ID!, $input: UpdateApproverInput!) {\n    updateApprover(id: $id, input: $input) { id slackUserId }\n  }\n": typeof types.SetMySlackDocument,
};
const documents: Documents = {
    "\n  query Agents {\n    agents(first: 200) {\n      totalCount\n      nodes { id name description tags status suspendedReason createdAt owner { name } baseline { requestsLastHour approvalRate } }\n    }\n  }\n": types.AgentsDocument,
    "mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { id status suspendedReason } }": types.SuspendAgentDocument,
    "mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { id status suspendedReason } }": types.ResumeAgentDocument,
    "\n  query AuditLog($after: String, $subjectId: String) {\n    auditLog(first: 100, after: $after, filter: { subjectId: $subjectId }) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at kind subjectType subjectId actorType actorId hash }\n    }\n  }\n": types.AuditLogDocument,
    "query VerifyAudit { verifyAuditChain { valid checked brokenAt } }": types.VerifyAuditDocument,
    "\n  query Deliveries($filter: NotificationDeliveryFilter, $first: Int) {\n    notificationDeliveries(filter: $filter, first: $first) {\n      totalCount\n      nodes {\n        id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt\n        recipient { id name }\n        webhook { id url }\n      }\n    }\n  }\n": types.DeliveriesDocument,
    "mutation RetryDelivery($id: ID!) { retryNotificationDelivery(id: $id) { id status attempts nextAttemptAt } }": types.RetryDeliveryDocument,
    "\n  query GovernanceHistory {\n    governance {\n      version\n      history { version document appliedBy appliedAt warnings changes { kind name op } }\n    }\n  }\n": types.GovernanceHistoryDocument,
    "\n  query Oversight($window: String) {\n    metrics(window: $window) {\n      window bucket since until\n      submitted pending unreviewed decided approved denied changesRequested\n      approvalRate escalations expired escalationRate\n      decisionLatency { p50 p90 }\n      series { at decided approved queueDepth escalations decisionLatencyP50 }\n      alerts { kind severity subject message suggestion }\n    }\n  }\n": types.OversightDocument,
    "\n  fragment GrantFields on Grant {\n    id actionType when\n    maxAmount { value currency }\n    sameDestination destination { system external }\n    sameArguments maxUses uses expiresAt revokedAt reason createdAt active\n    agent { id name }\n    grantedBy { kind id name }\n    fromAction { id summary }\n  }\n": types.GrantFieldsFragmentDoc,
    "\n  subscription QueueUpdates {\n    approvalQueueUpdated { actionId inQueue }\n  }\n": types.QueueUpdatesDocument,
    "\n  query ActionPage($id: ID!) {\n    action(id: $id) {\n      id type operation summary justification expectedOutcome resource\n      dataClassification dataCategories recordCount\n      destination { system external }\n      amount { value currency }\n      payload context\n      risk { score level factors { dimension points detail } }\n      mode status statusReason reviewStatus policy\n      consequences { approve deny }\n      notes route chain escalationLevel deadline requiredApprovals governanceVersion\n      approvedPayload candidatePayload candidatePayloadHash receipt\n      outcome { status detail at }\n      createdAt updatedAt decidedAt\n      agent {\n        id name description status\n        baseline {\n          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate reviewed flagRate blocked expired\n          usualAmounts { type currency p50 p95 samples }\n        }\n        recentActions(first: 8) { id summary status mode createdAt risk { level score } }\n      }\n      revisionOf { id summary status }\n      revisionChanges {\n        requestedChanges { comment approver { name } }\n        fields { field before after }\n        payload { path change before after }\n        payloadTruncated followsSuggestion\n      }\n      assignees { level viaRole approver { id name } onBehalfOf { id name } }\n      approvals\n      decisions { verdict comment modifiedPayload superseded at approver { id name } onBehalfOf { id name } }\n      reviews { verdict comment at approver { id name } onBehalfOf { id name } }\n      auditTrail { seq at kind actorType actorId data }\n      grant { ...GrantFields }\n      grantOffer { allowed reason maxTtl }\n      breakGlass { justification used reviewOverdueSince }\n      similar(first: 5) {\n        sameAgent { id summary status createdAt decidedAt amount { value currency } decisions { verdict approver { name } } }\n        otherAgents { id summary status createdAt decidedAt amount { value currency } agent { name } decisions { verdict approver { name } } }\n      }\n    }\n  }\n": types.ActionPageDocument,
    "\n  subscription ActionChanged($id: ID!) {\n    actionUpdated(id: $id) { id status updatedAt }\n  }\n": types.ActionChangedDocument,
    "\n  mutation Decide($input: DecisionInput!) {\n    decide(input: $input) { id status }\n  }\n": types.DecideDocument,
    "\n  query Delegations {\n    me { id roles kind }\n    approvers(first: 500) { nodes { id name roles active } }\n    delegations(first: 100) {\n      nodes { id startsAt endsAt roles actionTypes reason active revokedAt from { id name } to { id name } }\n    }\n  }\n": types.DelegationsDocument,
    "\n  mutation CreateDelegation($input: DelegationInput!) {\n    createDelegation(input: $input) { id }\n  }\n": types.CreateDelegationDocument,
    "\n  mutation RevokeDelegation($id: ID!) {\n    revokeDelegation(id: $id) { id revokedAt }\n  }\n": types.RevokeDelegationDocument,
    "\n  query Grants($filter: GrantFilter, $first: Int) {\n    grants(filter: $filter, first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes { ...GrantFields }\n    }\n  }\n": types.GrantsDocument,
    "\n  mutation RevokeGrant($id: ID!) {\n    revokeGrant(id: $id) { ...GrantFields }\n  }\n": types.RevokeGrantDocument,
    "\n  query MyDecisions($first: Int) {\n    myDecisions(first: $first) {\n      totalCount\n      nodes {\n        id summary type status\n        risk { level score }\n        agent { name }\n        decisions { verdict comment at approver { id } onBehalfOf { name } }\n      }\n    }\n  }\n": types.MyDecisionsDocument,
    "\n  query ApprovalQueue($first: Int) {\n    approvalQueue(first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes {\n        id\n        type\n        summary\n        deadline\n        createdAt\n        requiredApprovals\n        escalationLevel\n        amount { value currency }\n        risk { score level }\n        agent { id name }\n        approvals\n        assignees { onBehalfOf { id name } approver { id } }\n      }\n    }\n  }\n": types.ApprovalQueueDocument,
    "\n  query ReviewQueue($first: Int) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        id type summary createdAt deadline statusReason amount { value currency } risk { score level } agent { name } policy\n        breakGlass { justification used reviewOverdueSince }\n        grant { id uses maxUses grantedBy { id name } }\n      }\n    }\n  }\n": types.ReviewQueueDocument,
    "\n  mutation Review($input: ReviewInput!) {\n    review(input: $input) { id reviewStatus }\n  }\n": types.ReviewDocument,
    "\n  query Settings {\n    me {\n      kind\n      approver {\n        id\n        notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n      }\n    }\n  }\n": types.SettingsDocument,
    "\n  mutation UpdateNotifications($input: NotificationPreferencesInput!) {\n    updateMyNotifications(input: $input) { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n  }\n": types.UpdateNotificationsDocument,
    "\n  query MySlack {\n    me { kind approver { id slackUserId } }\n  }\n": types.MySlackDocument,
    "\n  mutation SetMySlack($id: ID!, $input: UpdateApproverInput!) {\n    updateApprover(id: $id, input: $input) { id slackUserId }\n  }\n": types.SetMySlackDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Agents {\n    agents(first: 200) {\n      totalCount\n      nodes { id name description tags status suspendedReason createdAt owner { name } baseline { requestsLastHour approvalRate } }\n    }\n  }\n"): (typeof documents)["\n  query Agents {\n    agents(first: 200) {\n      totalCount\n      nodes { id name description tags status suspendedReason createdAt owner { name } baseline { requestsLastHour approvalRate } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { id status suspendedReason } }"): (typeof documents)["mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { id status suspendedReason } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { id status suspendedReason } }"): (typeof documents)["mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { id status suspendedReason } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($after: String, $subjectId: String) {\n    auditLog(first: 100, after: $after, filter: { subjectId: $subjectId }) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at kind subjectType subjectId actorType actorId hash }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($after: String, $subjectId: String) {\n    auditLog(first: 100, after: $after, filter: { subjectId: $subjectId }) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { seq at kind subjectType subjectId actorType actorId hash }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query VerifyAudit { verifyAuditChain { valid checked brokenAt } }"): (typeof documents)["query VerifyAudit { verifyAuditChain { valid checked brokenAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Deliveries($filter: NotificationDeliveryFilter, $first: Int) {\n    notificationDeliveries(filter: $filter, first: $first) {\n      totalCount\n      nodes {\n        id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt\n        recipient { id name }\n        webhook { id url }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Deliveries($filter: NotificationDeliveryFilter, $first: Int) {\n    notificationDeliveries(filter: $filter, first: $first) {\n      totalCount\n      nodes {\n        id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt\n        recipient { id name }\n        webhook { id url }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RetryDelivery($id: ID!) { retryNotificationDelivery(id: $id) { id status attempts nextAttemptAt } }"): (typeof documents)["mutation RetryDelivery($id: ID!) { retryNotificationDelivery(id: $id) { id status attempts nextAttemptAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GovernanceHistory {\n    governance {\n      version\n      history { version document appliedBy appliedAt warnings changes { kind name op } }\n    }\n  }\n"): (typeof documents)["\n  query GovernanceHistory {\n    governance {\n      version\n      history { version document appliedBy appliedAt warnings changes { kind name op } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Oversight($window: String) {\n    metrics(window: $window) {\n      window bucket since until\n      submitted pending unreviewed decided approved denied changesRequested\n      approvalRate escalations expired escalationRate\n      decisionLatency { p50 p90 }\n      series { at decided approved queueDepth escalations decisionLatencyP50 }\n      alerts { kind severity subject message suggestion }\n    }\n  }\n"): (typeof documents)["\n  query Oversight($window: String) {\n    metrics(window: $window) {\n      window bucket since until\n      submitted pending unreviewed decided approved denied changesRequested\n      approvalRate escalations expired escalationRate\n      decisionLatency { p50 p90 }\n      series { at decided approved queueDepth escalations decisionLatencyP50 }\n      alerts { kind severity subject message suggestion }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment GrantFields on Grant {\n    id actionType when\n    maxAmount { value currency }\n    sameDestination destination { system external }\n    sameArguments maxUses uses expiresAt revokedAt reason createdAt active\n    agent { id name }\n    grantedBy { kind id name }\n    fromAction { id summary }\n  }\n"): (typeof documents)["\n  fragment GrantFields on Grant {\n    id actionType when\n    maxAmount { value currency }\n    sameDestination destination { system external }\n    sameArguments maxUses uses expiresAt revokedAt reason createdAt active\n    agent { id name }\n    grantedBy { kind id name }\n    fromAction { id summary }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription QueueUpdates {\n    approvalQueueUpdated { actionId inQueue }\n  }\n"): (typeof documents)["\n  subscription QueueUpdates {\n    approvalQueueUpdated { actionId inQueue }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ActionPage($id: ID!) {\n    action(id: $id) {\n      id type operation summary justification expectedOutcome resource\n      dataClassification dataCategories recordCount\n      destination { system external }\n      amount { value currency }\n      payload context\n      risk { score level factors { dimension points detail } }\n      mode status statusReason reviewStatus policy\n      consequences { approve deny }\n      notes route chain escalationLevel deadline requiredApprovals governanceVersion\n      approvedPayload candidatePayload candidatePayloadHash receipt\n      outcome { status detail at }\n      createdAt updatedAt decidedAt\n      agent {\n        id name description status\n        baseline {\n          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate reviewed flagRate blocked expired\n          usualAmounts { type currency p50 p95 samples }\n        }\n        recentActions(first: 8) { id summary status mode createdAt risk { level score } }\n      }\n      revisionOf { id summary status }\n      revisionChanges {\n        requestedChanges { comment approver { name } }\n        fields { field before after }\n        payload { path change before after }\n        payloadTruncated followsSuggestion\n      }\n      assignees { level viaRole approver { id name } onBehalfOf { id name } }\n      approvals\n      decisions { verdict comment modifiedPayload superseded at approver { id name } onBehalfOf { id name } }\n      reviews { verdict comment at approver { id name } onBehalfOf { id name } }\n      auditTrail { seq at kind actorType actorId data }\n      grant { ...GrantFields }\n      grantOffer { allowed reason maxTtl }\n      breakGlass { justification used reviewOverdueSince }\n      similar(first: 5) {\n        sameAgent { id summary status createdAt decidedAt amount { value currency } decisions { verdict approver { name } } }\n        otherAgents { id summary status createdAt decidedAt amount { value currency } agent { name } decisions { verdict approver { name } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ActionPage($id: ID!) {\n    action(id: $id) {\n      id type operation summary justification expectedOutcome resource\n      dataClassification dataCategories recordCount\n      destination { system external }\n      amount { value currency }\n      payload context\n      risk { score level factors { dimension points detail } }\n      mode status statusReason reviewStatus policy\n      consequences { approve deny }\n      notes route chain escalationLevel deadline requiredApprovals governanceVersion\n      approvedPayload candidatePayload candidatePayloadHash receipt\n      outcome { status detail at }\n      createdAt updatedAt decidedAt\n      agent {\n        id name description status\n        baseline {\n          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate reviewed flagRate blocked expired\n          usualAmounts { type currency p50 p95 samples }\n        }\n        recentActions(first: 8) { id summary status mode createdAt risk { level score } }\n      }\n      revisionOf { id summary status }\n      revisionChanges {\n        requestedChanges { comment approver { name } }\n        fields { field before after }\n        payload { path change before after }\n        payloadTruncated followsSuggestion\n      }\n      assignees { level viaRole approver { id name } onBehalfOf { id name } }\n      approvals\n      decisions { verdict comment modifiedPayload superseded at approver { id name } onBehalfOf { id name } }\n      reviews { verdict comment at approver { id name } onBehalfOf { id name } }\n      auditTrail { seq at kind actorType actorId data }\n      grant { ...GrantFields }\n      grantOffer { allowed reason maxTtl }\n      breakGlass { justification used reviewOverdueSince }\n      similar(first: 5) {\n        sameAgent { id summary status createdAt decidedAt amount { value currency } decisions { verdict approver { name } } }\n        otherAgents { id summary status createdAt decidedAt amount { value currency } agent { name } decisions { verdict approver { name } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ActionChanged($id: ID!) {\n    actionUpdated(id: $id) { id status updatedAt }\n  }\n"): (typeof documents)["\n  subscription ActionChanged($id: ID!) {\n    actionUpdated(id: $id) { id status updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Decide($input: DecisionInput!) {\n    decide(input: $input) { id status }\n  }\n"): (typeof documents)["\n  mutation Decide($input: DecisionInput!) {\n    decide(input: $input) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Delegations {\n    me { id roles kind }\n    approvers(first: 500) { nodes { id name roles active } }\n    delegations(first: 100) {\n      nodes { id startsAt endsAt roles actionTypes reason active revokedAt from { id name } to { id name } }\n    }\n  }\n"): (typeof documents)["\n  query Delegations {\n    me { id roles kind }\n    approvers(first: 500) { nodes { id name roles active } }\n    delegations(first: 100) {\n      nodes { id startsAt endsAt roles actionTypes reason active revokedAt from { id name } to { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDelegation($input: DelegationInput!) {\n    createDelegation(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation CreateDelegation($input: DelegationInput!) {\n    createDelegation(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeDelegation($id: ID!) {\n    revokeDelegation(id: $id) { id revokedAt }\n  }\n"): (typeof documents)["\n  mutation RevokeDelegation($id: ID!) {\n    revokeDelegation(id: $id) { id revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Grants($filter: GrantFilter, $first: Int) {\n    grants(filter: $filter, first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes { ...GrantFields }\n    }\n  }\n"): (typeof documents)["\n  query Grants($filter: GrantFilter, $first: Int) {\n    grants(filter: $filter, first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes { ...GrantFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeGrant($id: ID!) {\n    revokeGrant(id: $id) { ...GrantFields }\n  }\n"): (typeof documents)["\n  mutation RevokeGrant($id: ID!) {\n    revokeGrant(id: $id) { ...GrantFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyDecisions($first: Int) {\n    myDecisions(first: $first) {\n      totalCount\n      nodes {\n        id summary type status\n        risk { level score }\n        agent { name }\n        decisions { verdict comment at approver { id } onBehalfOf { name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyDecisions($first: Int) {\n    myDecisions(first: $first) {\n      totalCount\n      nodes {\n        id summary type status\n        risk { level score }\n        agent { name }\n        decisions { verdict comment at approver { id } onBehalfOf { name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApprovalQueue($first: Int) {\n    approvalQueue(first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes {\n        id\n        type\n        summary\n        deadline\n        createdAt\n        requiredApprovals\n        escalationLevel\n        amount { value currency }\n        risk { score level }\n        agent { id name }\n        approvals\n        assignees { onBehalfOf { id name } approver { id } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApprovalQueue($first: Int) {\n    approvalQueue(first: $first) {\n      totalCount\n      pageInfo { hasNextPage }\n      nodes {\n        id\n        type\n        summary\n        deadline\n        createdAt\n        requiredApprovals\n        escalationLevel\n        amount { value currency }\n        risk { score level }\n        agent { id name }\n        approvals\n        assignees { onBehalfOf { id name } approver { id } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewQueue($first: Int) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        id type summary createdAt deadline statusReason amount { value currency } risk { score level } agent { name } policy\n        breakGlass { justification used reviewOverdueSince }\n        grant { id uses maxUses grantedBy { id name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReviewQueue($first: Int) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        id type summary createdAt deadline statusReason amount { value currency } risk { score level } agent { name } policy\n        breakGlass { justification used reviewOverdueSince }\n        grant { id uses maxUses grantedBy { id name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Review($input: ReviewInput!) {\n    review(input: $input) { id reviewStatus }\n  }\n"): (typeof documents)["\n  mutation Review($input: ReviewInput!) {\n    review(input: $input) { id reviewStatus }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Settings {\n    me {\n      kind\n      approver {\n        id\n        notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Settings {\n    me {\n      kind\n      approver {\n        id\n        notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNotifications($input: NotificationPreferencesInput!) {\n    updateMyNotifications(input: $input) { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n  }\n"): (typeof documents)["\n  mutation UpdateNotifications($input: NotificationPreferencesInput!) {\n    updateMyNotifications(input: $input) { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySlack {\n    me { kind approver { id slackUserId } }\n  }\n"): (typeof documents)["\n  query MySlack {\n    me { kind approver { id slackUserId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetMySlack($id: ID!, $input: UpdateApproverInput!) {\n    updateApprover(id: $id, input: $input) { id slackUserId }\n  }\n"): (typeof documents)["\n  mutation SetMySlack($id: ID!, $input: UpdateApproverInput!) {\n    updateApprover(id: $id, input: $input) { id slackUserId }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;