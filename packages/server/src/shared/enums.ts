/**
 * The enumerations of the public contract (DESIGN §2, §4). String enums so that the
 * stored value, the GraphQL value and the TypeScript value are the same text.
 */
export enum Operation { READ = 'READ', WRITE = 'WRITE', DELETE = 'DELETE', EXECUTE = 'EXECUTE' }
export enum DataClassification { PUBLIC = 'PUBLIC', INTERNAL = 'INTERNAL', CONFIDENTIAL = 'CONFIDENTIAL', RESTRICTED = 'RESTRICTED' }
export enum RiskLevel { LOW = 'LOW', MEDIUM = 'MEDIUM', HIGH = 'HIGH', CRITICAL = 'CRITICAL' }
export enum Mode { AUTO = 'AUTO', ASYNC_REVIEW = 'ASYNC_REVIEW', SYNC_APPROVAL = 'SYNC_APPROVAL', BLOCK = 'BLOCK' }
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
export enum ChangeOp { CREATE = 'CREATE', UPDATE = 'UPDATE', DELETE = 'DELETE' }

/** Levels in increasing order of risk; `LEVEL_ORDER.indexOf` compares them. */
export const LEVEL_ORDER: readonly RiskLevel[] = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL];

export const TERMINAL_STATUSES: ReadonlySet<ActionStatus> = new Set([
  ActionStatus.APPROVED,
  ActionStatus.DENIED,
  ActionStatus.CHANGES_REQUESTED,
  ActionStatus.EXPIRED,
  ActionStatus.CANCELLED,
]);

/** For exhaustive switches: `default: return assertNever(x)`. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
