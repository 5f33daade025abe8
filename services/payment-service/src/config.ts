import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/** payment-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  ...serviceEnv('payment-service'),
  /** Which PaymentGateway implementation to use; only the simulator exists so far. */
  PAYMENT_GATEWAY: z.enum(['simulated']).default('simulated'),
  /** Upper bound on a `tok_slow_<ms>` delay, so a token cannot stall a partition for long. */
  SIMULATED_GATEWAY_MAX_DELAY_MS: z.coerce.number().int().nonnegative().default(30_000),
  /**
   * Per gateway attempt. The call runs outside any transaction and holds only its order, so a
   * slow gateway delays that order alone; keep it under the saga's payment step deadline (15 s).
   */
  PAYMENT_GATEWAY_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000),
  /** Attempts per command for retryable gateway failures (backoff 100 ms doubling to 1 s). */
  PAYMENT_GATEWAY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
});

export type PaymentConfig = Readonly<z.output<typeof configSchema>>;

export function paymentConfig(env: Env = process.env): PaymentConfig {
  return loadConfig(configSchema, env);
}
