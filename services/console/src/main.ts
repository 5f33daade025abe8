// Process entry for the console: config → app → listen; graceful stop on SIGTERM/SIGINT.
import { ConfigError, runService } from '@orderflow/service-runtime';
import { createLogger } from '@orderflow/telemetry';
import { buildApp, SERVICE } from './app.js';
import { consoleConfig, type ConsoleConfig } from './config.js';

let config: ConsoleConfig;
try {
  config = consoleConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${SERVICE}: ${error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const app = await buildApp(config, { logger });
await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    await app.start();
    await app.http.listen({ port: config.PORT, host: config.HOST });
  },
  stop: () => app.stop(),
});
