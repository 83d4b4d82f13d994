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

export interface ModeTransition {
  readonly from: Mode;
  readonly to: Mode;
  readonly count: number;
}

/** A stored request the draft would handle differently: as it was handled, and under the draft. */
export interface SimulatedChange {
  readonly actionId: string;
  readonly type: string;
  readonly summary: string;
  readonly createdAt: DateTime;
  readonly status: ActionStatus;
  readonly fromMode: Mode;
  readonly toMode: Mode;
  readonly fromLevel: RiskLevel;
  readonly toLevel: RiskLevel;
  readonly fromScore: number;
  readonly toScore: number;
  readonly fromPolicy: string | null;
  readonly toPolicy: string | null;
  readonly fromRoute: string | null;
  readonly toRoute: string | null;
  /** It would need people and no route of the draft matches: it would be denied (NO_ROUTE). */
  readonly noRoute: boolean;
  readonly agent: Ref;
}

/** `simulateGovernance`: stored requests replayed through a draft document. */
export interface Simulation {
  readonly since: DateTime;
  readonly evaluated: number;
  /** More requests matched than one simulation replays: the newest were replayed. */
  readonly truncated: boolean;
  readonly changed: number;
  readonly modeChanged: number;
  readonly levelChanged: number;
  readonly routeChanged: number;
  readonly noRoute: number;
  /** Modes under the draft. */
  readonly byMode: readonly ModeCount[];
  /** Modes as the requests were handled. */
  readonly currentByMode: readonly ModeCount[];
  readonly transitions: readonly ModeTransition[];
  /** Newest first, as many as asked for; `changed` counts them all. */
  readonly changes: readonly SimulatedChange[];
  readonly evaluationNotes: readonly { readonly message: string; readonly count: number }[];
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
  /** An approval of a payload a later approver modified: it no longer counts toward the quorum. */
  readonly superseded?: boolean;
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

/** An approver's verdict on a past request. */
export interface PastDecision {
  readonly verdict: Verdict;
  readonly comment: string | null;
  readonly at: DateTime;
  readonly approver: Ref;
  readonly onBehalfOf: Ref | null;
}

/** A past request in brief (`ActionDigest`): what was asked and how it ended. */
export interface ActionDigest {
  readonly id: string;
  readonly type: string;
  readonly operation: string;
  readonly summary: string;
  readonly resource: string | null;
  readonly amount: Amount | null;
  readonly risk: Risk;
  readonly mode: Mode;
  readonly status: ActionStatus;
  readonly statusReason: string | null;
  readonly reviewStatus: ReviewStatus | null;
  readonly policy: string | null;
  readonly createdAt: DateTime;
  readonly decidedAt: DateTime | null;
  readonly agent: Ref;
  readonly decisions: readonly PastDecision[];
}

/** The amounts an agent usually asks for with one action type and currency. */
export interface UsualAmount {
  readonly type: string;
  readonly currency: string;
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
}

/** What is normal for an agent, from its own recent history (rates are null with nothing to take them over). */
export interface AgentBaseline {
  readonly since: DateTime;
  readonly firstSeenAt: DateTime | null;
  readonly requests: number;
  readonly actionsPerHour: number | null;
  readonly requestsLastHour: number;
  readonly byMode: readonly ModeCount[];
  readonly humanDecisions: number;
  readonly approvalRate: number | null;
  readonly denialRate: number | null;
  readonly changesRequestedRate: number | null;
  readonly reviewed: number;
  readonly flagRate: number | null;
  readonly blocked: number;
  readonly expired: number;
  readonly usualAmounts: readonly UsualAmount[];
}

/** Earlier requests of the same type: precedent for deciding this one. */
export interface SimilarActions {
  readonly sameAgent: readonly ActionDigest[];
  readonly otherAgents: readonly ActionDigest[];
}

export type PayloadChangeKind = 'ADDED' | 'REMOVED' | 'CHANGED';

/** What a revision changed against the request it revises. */
export interface RevisionChanges {
  /** The decision that asked for changes, with any suggested payload. */
  readonly requestedChanges: (Decision & { readonly modifiedPayload: unknown }) | null;
  readonly fields: readonly { readonly field: string; readonly before: unknown; readonly after: unknown }[];
  readonly payload: readonly { readonly path: string; readonly change: PayloadChangeKind; readonly before: unknown; readonly after: unknown }[];
  readonly payloadTruncated: boolean;
  /** Null when no payload was suggested. */
  readonly followsSuggestion: boolean | null;
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
  /** While pending: the payload the next approvals are for (an approver's modification), when it differs. */
  readonly candidatePayload?: unknown;
  readonly revisionOf: { readonly id: string; readonly summary: string; readonly status: ActionStatus; readonly createdAt: DateTime } | null;
  readonly revisionChanges: RevisionChanges | null;
  readonly similar: SimilarActions;
  readonly agent: Ref & {
    readonly tags: readonly string[];
    readonly status: AgentStatus;
    readonly suspendedReason: string | null;
    readonly owner: Ref | null;
    /** Newest first; may include this request itself. */
    readonly recentActions: readonly ActionDigest[];
    readonly baseline: AgentBaseline;
  };
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

/** Percentiles of a duration, in seconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly mean: number | null;
}

export interface MetricsPoint {
  readonly at: DateTime;
  readonly submitted: number;
  readonly auto: number;
  readonly asyncReview: number;
  readonly syncApproval: number;
  readonly blocked: number;
  readonly decided: number;
  readonly approved: number;
  readonly denied: number;
  readonly changesRequested: number;
  readonly expired: number;
  readonly escalations: number;
  readonly decisionLatencyP50: number | null;
  readonly decisionLatencyP90: number | null;
  readonly queueDepth: number;
}

export interface ApproverMetrics {
  readonly approver: Ref;
  readonly decisions: number;
  readonly approved: number;
  readonly denied: number;
  readonly changesRequested: number;
  readonly approveRate: number | null;
  readonly medianSecondsToDecide: number | null;
  /** Approvals given within 15 seconds of being assigned. */
  readonly quickApprovals: number;
  readonly pending: number;
  readonly toReview: number;
  readonly assigned: number;
  readonly reviews: number;
  readonly flags: number;
  readonly series: readonly { readonly at: DateTime; readonly decisions: number; readonly approved: number }[];
}

export interface PolicyMetrics {
  /** Null: no policy matched and the defaults decided. */
  readonly policy: string | null;
  readonly submitted: number;
  readonly byMode: readonly ModeCount[];
  readonly decided: number;
  readonly approved: number;
  readonly denied: number;
  readonly changesRequested: number;
  readonly expired: number;
  readonly approvalRate: number | null;
  readonly decisionLatencyP50: number | null;
  readonly levels: readonly { readonly level: RiskLevel; readonly decided: number; readonly approved: number; readonly approvalRate: number | null }[];
  readonly series: readonly { readonly at: DateTime; readonly submitted: number; readonly decided: number; readonly approved: number }[];
}

export interface ChainMetrics {
  readonly chain: string | null;
  readonly resolved: number;
  readonly decided: number;
  readonly expired: number;
  readonly timedOut: number;
  readonly noApproversAvailable: number;
  readonly escalated: number;
  readonly expiryRate: number | null;
  readonly escalationRate: number | null;
  readonly decisionLatencyP50: number | null;
}

export interface RoleMetrics {
  readonly role: string;
  readonly members: number;
  readonly decisions: number;
  readonly shares: readonly { readonly approver: Ref; readonly decisions: number; readonly share: number }[];
}

export type AlertKind = 'RUBBER_STAMPING' | 'SYNC_ALWAYS_APPROVED' | 'QUEUE_GROWING' | 'DECISIONS_SLOWING' | 'LOAD_IMBALANCE' | 'REQUESTS_EXPIRING';
export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** An approval-fatigue finding, the change to consider, and the numbers behind it. */
export interface MetricsAlert {
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  /** The approver, policy, role or chain concerned (null: the whole system). */
  readonly subject: string | null;
  readonly message: string;
  readonly suggestion: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** `metrics(window, bucket, until)`; durations in seconds, rates 0–1 or null. */
export interface Metrics {
  readonly window: string;
  readonly bucket: string;
  readonly since: DateTime;
  readonly until: DateTime;
  readonly submitted: number;
  readonly byMode: readonly ModeCount[];
  readonly byStatus: readonly { readonly status: ActionStatus; readonly count: number }[];
  readonly byModeAndStatus: readonly { readonly mode: Mode; readonly status: ActionStatus; readonly count: number }[];
  readonly pending: number;
  readonly oldestPendingSince: DateTime | null;
  readonly unreviewed: number;
  readonly decided: number;
  readonly approved: number;
  readonly denied: number;
  readonly changesRequested: number;
  readonly approvalRate: number | null;
  readonly denialRate: number | null;
  readonly changesRequestedRate: number | null;
  readonly decisionLatency: LatencySummary;
  readonly escalations: number;
  readonly escalated: number;
  readonly escalationRate: number | null;
  readonly expired: number;
  readonly expiryRate: number | null;
  readonly series: readonly MetricsPoint[];
  readonly approvers: readonly ApproverMetrics[];
  readonly policies: readonly PolicyMetrics[];
  readonly chains: readonly ChainMetrics[];
  readonly roles: readonly RoleMetrics[];
  readonly alerts: readonly MetricsAlert[];
}

/** One change to the approver's queues, as `approvalQueueUpdated` pushes it. */
export interface QueueEvent {
  readonly actionId: string;
  /** Whether the request is in the caller's approval or review queue now (false: it left). */
  readonly inQueue: boolean;
  /** The request as it is now; null when the caller may no longer see it. */
  readonly action: ActionSummary | null;
}
