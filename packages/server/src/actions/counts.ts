import { ActionStatus, Mode } from '../shared/enums.js';

/** Every mode with its count, in the order of the enum (zeros included, so tables and plots line up). */
export function countsByMode(count: (mode: Mode) => number): { mode: Mode; count: number }[] {
  return Object.values(Mode).map((mode) => ({ mode, count: count(mode) }));
}

/** Every status with its count, in the order of the enum (zeros included). */
export function countsByStatus(count: (status: ActionStatus) => number): { status: ActionStatus; count: number }[] {
  return Object.values(ActionStatus).map((status) => ({ status, count: count(status) }));
}
