import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/** order-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  ...serviceEnv('order-service'),
  /** A snapshot of the Order aggregate every N events. */
  SNAPSHOT_EVERY: z.coerce.number().int().positive().default(10),
  /** How often GET /orders/:id/stream looks for new events, and how often it sends a keep-alive. */
  SSE_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(250),
  SSE_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
  /**
   * Open streams at once, per client (token subject) and in all: each polls Postgres every
   * SSE_POLL_INTERVAL_MS, so they are bounded like connections to it. Past either bound, a 429
   * with Retry-After SSE_RETRY_AFTER_S.
   */
  SSE_MAX_STREAMS_PER_CLIENT: z.coerce.number().int().min(1).max(1_000).default(5),
  SSE_MAX_STREAMS: z.coerce.number().int().min(1).max(100_000).default(500),
  SSE_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3_600).default(5),
  /**
   * Admission control of POST /orders (src/admission-control.ts): past either bound a new order
   * gets 503 + Retry-After instead of queueing into the saga's step deadlines, the shortest of
   * which is 10 s (order-saga's SAGA_RESERVE_INVENTORY_TIMEOUT_MS, SAGA_COMMIT_INVENTORY_TIMEOUT_MS).
   * 100 in flight is ~4-5 s of work at the ~20-25 orders/s the platform completed on the reference
   * 2-core machine (README, measured figures): half the shortest deadline, like the age bound.
   */
  ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(100),
  ADMISSION_MAX_OLDEST_AGE_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * Which in-flight order the age bound looks at, counted from the oldest (1 = the oldest): a
   * backlog is many old orders, and one order slow by design (a payment gateway taking 17 s, as
   * the e2e deadline test does) must not close the door alone. In a real backlog the 5th oldest
   * is as old as the oldest.
   */
  ADMISSION_OLDEST_AGE_RANK: z.coerce.number().int().min(1).max(1_000).default(5),
  /** How long one reading of the backlog (one indexed query) serves every POST /orders. */
  ADMISSION_REFRESH_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /** The Retry-After of a refusal, in seconds. */
  ADMISSION_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3_600).default(2),
});

export type OrderConfig = Readonly<z.output<typeof configSchema>>;

export function orderConfig(env: Env = process.env): OrderConfig {
  return loadConfig(configSchema, env);
}
