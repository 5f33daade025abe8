import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';
import { STEP_DEFINITIONS, STEPS, type SagaPolicy, type SagaStep } from './domain/index.js';

/** order-saga's environment: read once at start, validated, frozen. */
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Per step, overrides of the retry policy the step table declares (domain/steps.ts):
 * SAGA_<STEP>_TIMEOUT_MS (first attempt's wait), SAGA_<STEP>_DEADLINE_MS (give up after).
 */
const stepSettings = Object.fromEntries(
  STEPS.flatMap((step) => {
    const retry = STEP_DEFINITIONS[step].retry;
    return [
      [`SAGA_${step}_TIMEOUT_MS`, ms(retry.attemptTimeoutMs)],
      [`SAGA_${step}_DEADLINE_MS`, ms(retry.deadlineMs)],
    ];
  }),
) as Record<`SAGA_${SagaStep}_${'TIMEOUT' | 'DEADLINE'}_MS`, ReturnType<typeof ms>>;

export const configSchema = z.object({
  ...serviceEnv('order-saga'),
  /** How often the deadline scheduler looks for elapsed deadlines, and how many it takes a round. */
  SAGA_DEADLINE_POLL_MS: ms(250),
  SAGA_DEADLINE_BATCH: z.coerce.number().int().min(1).max(1_000).default(50),
  ...stepSettings,
  /** How long to wait for a compensation's confirmation before re-sending it. */
  SAGA_COMPENSATION_TIMEOUT_MS: ms(10_000),
  /** Sends of one compensation (first included) before the saga parks as FAILED_NEEDS_ATTENTION. */
  SAGA_MAX_COMPENSATION_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
});

export type SagaConfig = Readonly<z.output<typeof configSchema>>;

export function sagaConfig(env: Env = process.env): SagaConfig {
  return loadConfig(configSchema, env);
}

/** The policy new sagas start with (each saga keeps a copy: see the domain README). */
export function sagaPolicy(config: SagaConfig): SagaPolicy {
  const perStep = <T>(value: (step: SagaStep) => T) =>
    Object.fromEntries(STEPS.map((step) => [step, value(step)])) as Record<SagaStep, T>;
  return {
    steps: perStep((step) => {
      const attemptTimeoutMs = config[`SAGA_${step}_TIMEOUT_MS`];
      const { backoffCoefficient, maxAttemptTimeoutMs } = STEP_DEFINITIONS[step].retry;
      return {
        attemptTimeoutMs,
        backoffCoefficient,
        maxAttemptTimeoutMs: Math.max(maxAttemptTimeoutMs, attemptTimeoutMs),
        deadlineMs: config[`SAGA_${step}_DEADLINE_MS`],
      };
    }),
    compensationTimeoutMs: perStep(() => config.SAGA_COMPENSATION_TIMEOUT_MS),
    maxCompensationAttempts: config.SAGA_MAX_COMPENSATION_ATTEMPTS,
  };
}
