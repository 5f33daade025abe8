import type { SagaState } from './types.js';

/**
 * Whether the saga waits on nothing: no reply and no confirmation outstanding. A settled saga is
 * COMPLETED, CANCELLED or parked (FAILED_NEEDS_ATTENTION); only a late reply or an operator can
 * move it again.
 */
export function isSettled(state: SagaState): boolean {
  return state.deadline === null;
}
