/**
 * The enumerations the governance rules are written in (DESIGN §2, §3). String enums so
 * that the stored value, the GraphQL value and the TypeScript value are the same text.
 * The server re-exports these very objects and registers them with GraphQL.
 */
export enum Operation { READ = 'READ', WRITE = 'WRITE', DELETE = 'DELETE', EXECUTE = 'EXECUTE' }
export enum DataClassification { PUBLIC = 'PUBLIC', INTERNAL = 'INTERNAL', CONFIDENTIAL = 'CONFIDENTIAL', RESTRICTED = 'RESTRICTED' }
export enum RiskLevel { LOW = 'LOW', MEDIUM = 'MEDIUM', HIGH = 'HIGH', CRITICAL = 'CRITICAL' }
export enum Mode { AUTO = 'AUTO', ASYNC_REVIEW = 'ASYNC_REVIEW', SYNC_APPROVAL = 'SYNC_APPROVAL', BLOCK = 'BLOCK' }
export enum ChangeOp { CREATE = 'CREATE', UPDATE = 'UPDATE', DELETE = 'DELETE' }

/** Levels in increasing order of risk; `LEVEL_ORDER.indexOf` compares them. */
export const LEVEL_ORDER: readonly RiskLevel[] = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL];

/** For exhaustive switches: `default: return assertNever(x)`. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
