import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/** inventory-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object(serviceEnv('inventory-service'));

export type InventoryConfig = Readonly<z.output<typeof configSchema>>;

export function inventoryConfig(env: Env = process.env): InventoryConfig {
  return loadConfig(configSchema, env);
}
