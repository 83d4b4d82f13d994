/**
 * The shapes the CLI selects from the server, mirroring the documents in operations.ts
 * field for field. Enumerations are the contract's names (DESIGN §2, §4).
 */

export type PrincipalKind = 'AGENT' | 'APPROVER' | 'ADMIN';
export type AgentStatus = 'ACTIVE' | 'SUSPENDED';
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type Mode = 'AUTO' | 'ASYNC_REVIEW' | 'SYNC_APPROVAL' | 'BLOCK';
export type ActionStatus = 'PENDING' | 'APPROVED' | 'DENIED' | 'CHANGES_REQUESTED' | 'EXPIRED' | 'CANCELLED';
export type ReviewStatus = 'UNREVIEWED' | 'ACKNOWLEDGED' | 'FLAGGED';
export type Verdict = 'APPROVE' | 'DENY' | 'REQUEST_CHANGES';
export type ReviewVerdict = 'ACKNOWLEDGE' | 'FLAG';
export type ChangeOp = 'CREATE' | 'UPDATE' | 'DELETE';
export type OutcomeStatus = 'SUCCEEDED' | 'FAILED';

/** ISO 8601, as the `DateTime` scalar serialises. */
export type DateTime = string;

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

/** The contract's list shape (DESIGN §4). */
export interface Connection<T> {
  readonly nodes: readonly T[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

export interface PageVariables {
  readonly first?: number;
  readonly after?: string | null;
}

export interface Ref {
  readonly id: string;
  readonly name: string;
}

export interface Principal {
  readonly kind: PrincipalKind;
  readonly id: string | null;
  readonly name: string;
  readonly roles: readonly string[];
}

export interface Approver {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly roles: readonly string[];
  readonly active: boolean;
  readonly createdAt: DateTime;
}

export interface Agent {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly status: AgentStatus;
  readonly suspendedReason: string | null;
  readonly owner: Ref | null;
  readonly createdAt: DateTime;
}

export interface GovernanceChange {
  readonly kind: string;
  readonly name: string;
  readonly op: ChangeOp;
}

export interface ApplyResult {
  /** The version now in force; on a dry run, the version the document would become. */
  readonly version: number;
  readonly changes: readonly GovernanceChange[];
  readonly warnings: readonly string[];
  /** False on a dry run and when the document changes nothing. */
  readonly applied: boolean;
}

export interface GovernanceVersion {
  readonly version: number;
  readonly appliedAt: DateTime;
  readonly appliedBy: string;
  readonly changes: readonly GovernanceChange[];
  readonly warnings: readonly string[];
}

export interface Governance {
  /** Null until a document is applied. */
  readonly version: number | null;
  /** The document exactly as applied (YAML or JSON). */
  readonly document: string | null;
  readonly current: { readonly appliedAt: DateTime; readonly appliedBy: string; readonly warnings: readonly string[] } | null;
}

export interface ModeCount {
  readonly mode: Mode;
  readonly count: number;
}

export interface SimulatedChange {
  readonly actionId: string;
  readonly type: string;
  readonly summary: string;
  readonly fromMode: Mode;
  readonly toMode: Mode;
}

export interface Simulation {
  readonly evaluated: number;
  readonly changed: number;
  readonly byMode: readonly ModeCount[];
  readonly changes: readonly SimulatedChange[];
}

export interface Risk {
  readonly score: number;
  readonly level: RiskLevel;
}

export interface RiskFactor {
  readonly dimension: string;
  readonly points: number;
  readonly detail: string;
}

/** One row of a queue: enough to pick what to look at next. */
export interface ActionSummary {
  readonly id: string;
  readonly type: string;
  readonly operation: string;
  readonly summary: string;
  readonly status: ActionStatus;
  readonly mode: Mode;
  readonly reviewStatus: ReviewStatus | null;
  readonly risk: Risk;
  readonly agent: Ref;
  readonly escalationLevel: number | null;
  readonly deadline: DateTime | null;
  readonly requiredApprovals: number;
  readonly createdAt: DateTime;
}

export interface Decision {
  readonly id: string;
  readonly approver: Ref;
  readonly onBehalfOf: Ref | null;
  readonly verdict: Verdict;
  readonly comment: string | null;
  readonly at: DateTime;
}

export interface AuditEvent {
  readonly seq: number;
  readonly at: DateTime;
  readonly kind: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly data: unknown;
  readonly hash: string;
  readonly prevHash: string;
}

/** One of the agent's earlier requests, as `show` lists them. */
export interface RecentAction {
  readonly id: string;
  readonly type: string;
  readonly summary: string;
  readonly status: ActionStatus;
  readonly mode: Mode;
  readonly risk: Risk;
  readonly amount: Amount | null;
  readonly createdAt: DateTime;
}

export interface Amount {
  readonly value: number;
  readonly currency: string;
}

export interface Review {
  readonly id: string;
  readonly verdict: ReviewVerdict;
  readonly comment: string | null;
  readonly at: DateTime;
  readonly approver: Ref;
  readonly onBehalfOf: Ref | null;
}

/** Everything an approver needs to decide (DESIGN §4, `ActionRequest`). */
export interface ActionDetail extends Omit<ActionSummary, 'risk' | 'agent'> {
  readonly justification: string | null;
  readonly expectedOutcome: string | null;
  readonly resource: string | null;
  readonly dataClassification: string | null;
  readonly dataCategories: readonly string[];
  readonly recordCount: number | null;
  readonly destination: { readonly system: string | null; readonly external: boolean | null } | null;
  readonly amount: Amount | null;
  readonly payload: unknown;
  readonly context: unknown;
  readonly risk: Risk & { readonly factors: readonly RiskFactor[] };
  readonly policy: string | null;
  readonly consequences: { readonly approve: string | null; readonly deny: string | null } | null;
  readonly route: string | null;
  readonly governanceVersion: number | null;
  readonly statusReason: string | null;
  readonly chain: string | null;
  readonly notes: readonly string[];
  readonly receipt: string | null;
  readonly assignees: readonly Assignee[];
  readonly decisions: readonly Decision[];
  readonly reviews: readonly Review[];
  readonly approvedPayload: unknown;
  readonly revisionOf: { readonly id: string } | null;
  readonly agent: Ref & { readonly tags: readonly string[] };
  readonly outcome: { readonly status: OutcomeStatus; readonly detail: string | null; readonly at: DateTime } | null;
  readonly auditTrail: readonly AuditEvent[];
  readonly decidedAt: DateTime | null;
  readonly updatedAt: DateTime;
}

/** Someone asked to act on the request now, and how the chain reached them. */
export interface Assignee {
  readonly approver: Ref;
  readonly onBehalfOf: Ref | null;
  readonly viaRole: string | null;
  readonly level: number;
}

/** What `decide` and `review` return: the request's new state. */
export interface ActionAfterDecision {
  readonly id: string;
  readonly status: ActionStatus;
  readonly reviewStatus: ReviewStatus | null;
  readonly requiredApprovals: number;
  readonly decisions: readonly Decision[];
}

export interface Delegation {
  readonly id: string;
  readonly from: Ref;
  readonly to: Ref;
  readonly startsAt: DateTime;
  readonly endsAt: DateTime | null;
  readonly roles: readonly string[] | null;
  readonly actionTypes: readonly string[] | null;
  readonly reason: string | null;
  readonly revokedAt: DateTime | null;
  readonly createdAt: DateTime;
  /** In force now, by the server's clock. */
  readonly active: boolean;
}

export interface ChainVerification {
  readonly valid: boolean;
  readonly checked: number;
  readonly brokenAt: number | null;
}

export interface Metrics {
  readonly window: string;
  readonly submitted: number;
  readonly byMode: readonly ModeCount[];
  readonly byStatus: readonly { readonly status: ActionStatus; readonly count: number }[];
  readonly pending: number;
  readonly escalations: number;
  readonly expired: number;
  readonly approvalRate: number | null;
  readonly decisionLatency: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null } | null;
}

/** One change to the approver's queues, as `approvalQueueUpdated` pushes it. */
export interface QueueEvent {
  readonly actionId: string;
  /** Whether the request is in the caller's approval or review queue now (false: it left). */
  readonly inQueue: boolean;
  /** The request as it is now; null when the caller may no longer see it. */
  readonly action: ActionSummary | null;
}
