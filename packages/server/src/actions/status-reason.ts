/**
 * Why a request ended as it did, in `statusReason`. Machine-readable words, stable for
 * integrators; the audit event carries the sentence. One is set on a request still
 * PENDING: QUORUM_UNREACHABLE.
 */
export const StatusReason = {
  /**
   * Still PENDING, but it needs more approvals than there are people its chain reaches
   * (the agent's owner left out) as the directory stood at submission: it will expire
   * unless approvers are added. A note on the request says it in words.
   */
  QUORUM_UNREACHABLE: 'QUORUM_UNREACHABLE',
  /** A policy's mode (or an adjust rule) said BLOCK. */
  BLOCKED_BY_POLICY: 'BLOCKED_BY_POLICY',
  /** The agent is suspended: the kill switch. */
  AGENT_SUSPENDED: 'AGENT_SUSPENDED',
  /** It needed a human and no route matched (fail closed). */
  NO_ROUTE: 'NO_ROUTE',
  /** Its chain had nobody available at any level. */
  NO_APPROVERS_AVAILABLE: 'NO_APPROVERS_AVAILABLE',
  /** The last level of its chain timed out. */
  TIMED_OUT: 'TIMED_OUT',
  /** A human denied it. */
  DENIED_BY_APPROVER: 'DENIED_BY_APPROVER',
  /** A human asked for changes. */
  CHANGES_REQUESTED_BY_APPROVER: 'CHANGES_REQUESTED_BY_APPROVER',
  /** Approved by the required number of humans. */
  APPROVED_BY_APPROVER: 'APPROVED_BY_APPROVER',
  /** Approved at once (AUTO or ASYNC_REVIEW). */
  AUTO_APPROVED: 'AUTO_APPROVED',
  /** The agent withdrew it. */
  CANCELLED_BY_AGENT: 'CANCELLED_BY_AGENT',
  /** Approved at once by a standing approval (`grant` names it); in its granter's review queue. */
  GRANTED: 'GRANTED',
  /** Approved at once through break-glass (DESIGN §12): a mandatory review follows. */
  BREAK_GLASS: 'BREAK_GLASS',
  /** Break-glass was asked for, but the agent has used it as often as its policy allows today (UTC). */
  BREAK_GLASS_LIMIT: 'BREAK_GLASS_LIMIT',
  /** Break-glass was asked for on a request whose policy does not allow it. */
  BREAK_GLASS_NOT_ALLOWED: 'BREAK_GLASS_NOT_ALLOWED',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];
