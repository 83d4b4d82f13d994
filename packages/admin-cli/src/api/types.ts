/**
 * The CLI's names for what it selects from the server. Each is a generated type
 * (`generated/graphql.ts`, from the documents in operations.ts and the server's schema),
 * so a field added to a document or changed in the schema reaches every command at
 * compile time. Only the paging helpers and `Ref` are written by hand.
 */
import type * as Generated from './generated/graphql.js';

export type {
  ActionFilter, ActionStatus, AgentStatus, AlertSeverity, DecisionInput, Mode, RiskLevel, Verdict,
} from './generated/graphql.js';

/** The contract's list shape (DESIGN §4); every connection the CLI selects has this shape. */
export interface Connection<T> {
  readonly nodes: readonly T[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

export interface PageVariables {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** Someone or something named: an agent, an approver. */
export interface Ref {
  readonly id: string;
  readonly name: string;
}

export type Principal = Generated.MeQuery['me'];
export type Agent = Generated.AgentFieldsFragment;
/** A new agent and its API key, which the server shows this once (create and rotate select the same). */
export type AgentWithKey = Generated.CreateAgentMutation['createAgent'];
export type Approver = Generated.ApproverFieldsFragment;
/** A new approver and their token, which the server shows this once (create and rotate select the same). */
export type ApproverWithToken = Generated.CreateApproverMutation['createApprover'];
/** A new admin token, shown this once. */
export type AdminToken = Generated.CreateAdminTokenMutation['createAdminToken'];
export type RevokedAdminToken = Generated.RevokeAdminTokenMutation['revokeAdminToken'];
export type Delegation = Generated.DelegationFieldsFragment;
export type Grant = Generated.GrantFieldsFragment;

/** The governance in force; `version` and `document` are null until a document is applied. */
export type Governance = Generated.GovernanceQuery['governance'];
export type ApplyResult = Generated.ApplyGovernanceMutation['applyGovernance'];
export type GovernanceChange = ApplyResult['changes'][number];
export type GovernanceVersion = Generated.GovernanceHistoryQuery['governance']['history'][number];

/** `simulateGovernance`: stored requests replayed through a draft document. */
export type Simulation = Generated.SimulateGovernanceQuery['simulateGovernance'];
export type SimulatedChange = Simulation['changes'][number];
export type ModeCount = Simulation['byMode'][number];

/** One row of a queue: enough to pick what to look at next. */
export type ActionSummary = Generated.ActionSummaryFieldsFragment;
/** Everything an approver needs to decide, in one round trip (`ACTION`). */
export type ActionDetail = Generated.ActionQuery['action'];
/** A past request in brief: what was asked and how it ended. */
export type ActionDigest = Generated.ActionDigestFieldsFragment;
export type AgentBaseline = ActionDetail['agent']['baseline'];
export type RevisionChanges = NonNullable<ActionDetail['revisionChanges']>;
export type Amount = NonNullable<ActionDetail['amount']>;
/** What `decide` and `review` return: the request's new state (both select the same fields). */
export type ActionAfterDecision = Generated.DecideMutation['decide'];
/** One change to the approver's queues, as `approvalQueueUpdated` pushes it. */
export type QueueEvent = Generated.ApprovalQueueUpdatedSubscription['approvalQueueUpdated'];

export type AuditEvent = Generated.AuditEventFieldsFragment;
export type ChainVerification = Generated.VerifyAuditChainQuery['verifyAuditChain'];
/** `metrics(window, bucket, until)`; durations in seconds, rates 0–1 or null. */
export type Metrics = Generated.MetricsQuery['metrics'];
export type MetricsAlert = Metrics['alerts'][number];
