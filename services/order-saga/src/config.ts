import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';
import type { SagaPolicy } from './domain/index.js';

/** order-saga's environment: read once at start, validated, frozen. */
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
  ...serviceEnv('order-saga'),
  /** How often the deadline scheduler looks for elapsed deadlines, and how many it takes a round. */
  SAGA_DEADLINE_POLL_MS: ms(250),
  SAGA_DEADLINE_BATCH: z.coerce.number().int().min(1).max(1_000).default(50),
  /** Per-step reply timeouts: a silent participant past this fails its step. */
  SAGA_RESERVE_INVENTORY_TIMEOUT_MS: ms(10_000),
  // Above the payment consumer's in-process retries (~11 s) so transient gateway errors resolve first.
  SAGA_PROCESS_PAYMENT_TIMEOUT_MS: ms(15_000),
  SAGA_COMMIT_INVENTORY_TIMEOUT_MS: ms(10_000),
  SAGA_SCHEDULE_SHIPMENT_TIMEOUT_MS: ms(15_000),
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
  const compensation = config.SAGA_COMPENSATION_TIMEOUT_MS;
  return {
    stepTimeoutMs: {
      RESERVE_INVENTORY: config.SAGA_RESERVE_INVENTORY_TIMEOUT_MS,
      PROCESS_PAYMENT: config.SAGA_PROCESS_PAYMENT_TIMEOUT_MS,
      COMMIT_INVENTORY: config.SAGA_COMMIT_INVENTORY_TIMEOUT_MS,
      SCHEDULE_SHIPMENT: config.SAGA_SCHEDULE_SHIPMENT_TIMEOUT_MS,
    },
    compensationTimeoutMs: {
      RESERVE_INVENTORY: compensation,
      PROCESS_PAYMENT: compensation,
      COMMIT_INVENTORY: compensation,
      SCHEDULE_SHIPMENT: compensation,
    },
    maxCompensationAttempts: config.SAGA_MAX_COMPENSATION_ATTEMPTS,
  };
}
