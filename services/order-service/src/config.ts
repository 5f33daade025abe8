import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/** order-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  ...serviceEnv('order-service'),
  /** A snapshot of the Order aggregate every N events. */
  SNAPSHOT_EVERY: z.coerce.number().int().positive().default(10),
  /** How often GET /orders/:id/stream looks for new events, and how often it sends a keep-alive. */
  SSE_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(250),
  SSE_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
});

export type OrderConfig = Readonly<z.output<typeof configSchema>>;

export function orderConfig(env: Env = process.env): OrderConfig {
  return loadConfig(configSchema, env);
}
