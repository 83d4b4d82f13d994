/**
 * The enumerations of the public contract (DESIGN §2, §4). String enums so that the
 * stored value, the GraphQL value and the TypeScript value are the same text. Those the
 * governance rules are written in live with them in @countersign/governance; they are
 * re-exported here as the same objects, so GraphQL registers what the rules compare against.
 */
export { ChangeOp, DataClassification, LEVEL_ORDER, Mode, Operation, RiskLevel, assertNever } from '@countersign/governance';

export enum ActionStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  DENIED = 'DENIED',
  CHANGES_REQUESTED = 'CHANGES_REQUESTED',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
}
export enum ReviewStatus { UNREVIEWED = 'UNREVIEWED', ACKNOWLEDGED = 'ACKNOWLEDGED', FLAGGED = 'FLAGGED' }
export enum Verdict { APPROVE = 'APPROVE', DENY = 'DENY', REQUEST_CHANGES = 'REQUEST_CHANGES' }
export enum ReviewVerdict { ACKNOWLEDGE = 'ACKNOWLEDGE', FLAG = 'FLAG' }
export enum OutcomeStatus { SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED' }
export enum PrincipalKind { AGENT = 'AGENT', APPROVER = 'APPROVER', ADMIN = 'ADMIN' }
export enum AgentStatus { ACTIVE = 'ACTIVE', SUSPENDED = 'SUSPENDED' }

export const TERMINAL_STATUSES: ReadonlySet<ActionStatus> = new Set([
  ActionStatus.APPROVED,
  ActionStatus.DENIED,
  ActionStatus.CHANGES_REQUESTED,
  ActionStatus.EXPIRED,
  ActionStatus.CANCELLED,
]);
