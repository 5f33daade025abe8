// Process entry: config → pool, messaging, app → listen; on SIGTERM/SIGINT close within a bound.
import pg from 'pg';
import { Messaging } from '@orderflow/messaging';
import { ConfigError, runService } from '@orderflow/service-runtime';
import { createLogger } from '@orderflow/telemetry';
import { buildApp, SERVICE } from './app.js';
import { inventoryConfig, type InventoryConfig } from './config.js';
import { telemetry } from './instrument.js';

let config: InventoryConfig;
try {
  config = inventoryConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${SERVICE}: ${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 });
const messaging = new Messaging({
  service: SERVICE,
  brokers: config.KAFKA_BROKERS,
  registryUrl: config.SCHEMA_REGISTRY_URL,
  pool,
  logger,
});
const app = await buildApp(config, { pool, messaging, logger });

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    await app.start();
    await app.http.listen({ port: config.PORT, host: config.HOST });
  },
  stop: async () => {
    await app.stop();
    await pool.end();
    await telemetry.shutdown();
  },
});
