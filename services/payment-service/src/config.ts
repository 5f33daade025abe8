import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/** payment-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  ...serviceEnv('payment-service'),
  /** Which PaymentGateway implementation to use; only the simulator exists so far. */
  PAYMENT_GATEWAY: z.enum(['simulated']).default('simulated'),
  /** Upper bound on a `tok_slow_<ms>` delay, so a token cannot stall a partition for long. */
  SIMULATED_GATEWAY_MAX_DELAY_MS: z.coerce.number().int().nonnegative().default(30_000),
});

export type PaymentConfig = Readonly<z.output<typeof configSchema>>;

export function paymentConfig(env: Env = process.env): PaymentConfig {
  return loadConfig(configSchema, env);
}
