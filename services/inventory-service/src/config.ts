import { commonEnv, loadConfig, port, z, type Env } from '@orderflow/service-runtime';

/** inventory-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  PORT: port(3001),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/orderflow_inventory'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ...commonEnv,
});

export type InventoryConfig = Readonly<z.output<typeof configSchema>>;

export function inventoryConfig(env: Env = process.env): InventoryConfig {
  return loadConfig(configSchema, env);
}
