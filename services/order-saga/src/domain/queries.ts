import { STEPS, type SagaPolicy, type SagaState, type SagaStep } from './types.js';

/**
 * Whether the saga waits on nothing: no reply and no confirmation outstanding. A settled saga is
 * COMPLETED, CANCELLED or parked (FAILED_NEEDS_ATTENTION); only a late reply or an operator can
 * move it again.
 */
export function isSettled(state: SagaState): boolean {
  return state.deadline === null;
}

/** A policy as saved before step retries: one reply timeout per step. */
interface LegacyPolicy {
  readonly stepTimeoutMs?: Readonly<Record<SagaStep, number>>;
}

/**
 * A saved state in today's shape. Sagas saved before step retries keep what they started with:
 * their one reply timeout becomes a single attempt whose deadline is that timeout.
 */
export function upcastState(saved: SagaState): SagaState {
  const legacy = (saved.policy as LegacyPolicy).stepTimeoutMs;
  if (saved.policy.steps !== undefined || legacy === undefined) return saved;
  const steps = Object.fromEntries(
    STEPS.map((s) => {
      const ms = legacy[s];
      const once = { attemptTimeoutMs: ms, backoffCoefficient: 1, maxAttemptTimeoutMs: ms };
      return [s, { ...once, deadlineMs: ms }];
    }),
  ) as SagaPolicy['steps'];
  return { ...saved, policy: { ...saved.policy, steps } };
}
