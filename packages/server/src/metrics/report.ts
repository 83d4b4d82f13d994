import type { ActionStatus, Mode, RiskLevel } from '../shared/enums.js';

/**
 * The numbers `metrics(window, bucket)` reports, as plain data. Two kinds of counts, each
 * named for what it counts:
 * - submissions (`submitted`, `byMode`, `byStatus`): requests created in the window, in
 *   their status now;
 * - events (decisions, expiries, escalations, latency): things that happened in the window,
 *   whenever the request was created. Totals are the sums of the series.
 * "Resolved" means held for approval and then decided by a human or expired; rates with a
 * zero denominator are null, never 0.
 * All durations are in seconds.
 */
export interface MetricsReport {
  window: string;
  bucket: string;
  since: Date;
  until: Date;

  submitted: number;
  byMode: ModeCount[];
  byStatus: StatusCount[];
  byModeAndStatus: ModeStatusCount[];

  /** Requests waiting for approval now (whatever the window). */
  pending: number;
  oldestPendingSince: Date | null;
  /** ASYNC_REVIEW requests nobody has reviewed yet, now. */
  unreviewed: number;

  decided: number;
  approved: number;
  denied: number;
  changesRequested: number;
  approvalRate: number | null;
  denialRate: number | null;
  changesRequestedRate: number | null;
  /** Submission to human decision, over the requests decided in the window. */
  decisionLatency: LatencySummary;

  /** ESCALATED events in the window. */
  escalations: number;
  /** Resolved requests that were escalated at least once. */
  escalated: number;
  escalationRate: number | null;
  expired: number;
  expiryRate: number | null;

  /** Requests submitted in the window that break-glass approved (DESIGN §12). */
  breakGlassUses: number;
  /** Requests submitted in the window that asked for break-glass and were refused it (over the limit, or not allowed). */
  breakGlassRefused: number;

  series: MetricsPoint[];
  approvers: ApproverMetrics[];
  policies: PolicyMetrics[];
  chains: ChainMetrics[];
  roles: RoleMetrics[];
}

export interface ModeCount {
  mode: Mode;
  count: number;
}

export interface StatusCount {
  status: ActionStatus;
  count: number;
}

export interface ModeStatusCount {
  mode: Mode;
  status: ActionStatus;
  count: number;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
}

/** One bucket: submissions by creation time, everything else by when it happened. */
export interface MetricsPoint {
  at: Date;
  submitted: number;
  auto: number;
  asyncReview: number;
  syncApproval: number;
  blocked: number;
  decided: number;
  approved: number;
  denied: number;
  changesRequested: number;
  expired: number;
  escalations: number;
  decisionLatencyP50: number | null;
  decisionLatencyP90: number | null;
  /** Requests waiting for approval at the end of the bucket (now, for the current one). */
  queueDepth: number;
}

export interface ApproverMetrics {
  approverId: string;
  name: string;
  roles: string[];
  active: boolean;
  decisions: number;
  approved: number;
  denied: number;
  changesRequested: number;
  approveRate: number | null;
  /** From being assigned the request to deciding it. */
  medianSecondsToDecide: number | null;
  /** Approvals given within seconds of being assigned (`ALERT_THRESHOLDS.rubberStamping.quickSeconds`). */
  quickApprovals: number;
  /** Requests waiting for their approval now. */
  pending: number;
  /** Requests waiting for their review now. */
  toReview: number;
  /** Approval assignments they received in the window. */
  assigned: number;
  reviews: number;
  flags: number;
  series: ApproverPoint[];
}

export interface ApproverPoint {
  at: Date;
  decisions: number;
  approved: number;
}

export interface PolicyMetrics {
  /** Null: no policy matched, the defaults decided. */
  policy: string | null;
  submitted: number;
  byMode: ModeCount[];
  decided: number;
  approved: number;
  denied: number;
  changesRequested: number;
  expired: number;
  approvalRate: number | null;
  decisionLatencyP50: number | null;
  /** Human decisions by the level the request was held at. */
  levels: PolicyLevelMetrics[];
  series: PolicyPoint[];
}

export interface PolicyLevelMetrics {
  level: RiskLevel;
  decided: number;
  approved: number;
  approvalRate: number | null;
}

export interface PolicyPoint {
  at: Date;
  submitted: number;
  decided: number;
  approved: number;
}

export interface ChainMetrics {
  chain: string | null;
  resolved: number;
  decided: number;
  expired: number;
  /** Expired because the last level timed out. */
  timedOut: number;
  /** Expired at once because nobody in the chain was available. */
  noApproversAvailable: number;
  escalated: number;
  expiryRate: number | null;
  escalationRate: number | null;
  decisionLatencyP50: number | null;
}

/** How the decisions reached through one role were shared among the people holding it. */
export interface RoleMetrics {
  role: string;
  /** Active approvers holding the role now. */
  members: number;
  decisions: number;
  /** Most decisions first. */
  shares: RoleShare[];
}

export interface RoleShare {
  approverId: string;
  name: string;
  decisions: number;
  share: number;
}

/** The share `part / whole`, or null when there is nothing to take it over. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
