import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { devKeyFiles, ensureDevKeyPair, type DevKeyFiles } from '@orderflow/auth';
import { loadStackConfig, serviceUrl } from '@orderflow/infra';
import { createLogger } from '@orderflow/telemetry';
import { testEnvironment } from '@orderflow/testkit';
import { buildApp, type ConsoleApp } from '../../src/app.js';
import { consoleConfig } from '../../src/config.js';

/**
 * The console's server for a test, built and listening on an ephemeral port, serving the Vite
 * build (test:int builds it first) and reading the shared stack's services. It signs its admin
 * tokens with the stack's development key when the stack has one (services that check tokens
 * then accept them), else with a key pair of its own (services that do not yet ignore them).
 */
export interface RunningConsole {
  readonly app: ConsoleApp;
  readonly url: string;
  close(): Promise<void>;
}

async function keys(): Promise<DevKeyFiles> {
  const stack = devKeyFiles(loadStackConfig().stackDir);
  if (existsSync(stack.privateKeyFile) && existsSync(stack.publicKeyFile)) return stack;
  return ensureDevKeyPair(await mkdtemp(`${tmpdir()}/console-test-keys-`));
}

export async function startConsole(env: Record<string, string> = {}): Promise<RunningConsole> {
  const stack = testEnvironment();
  const files = await keys();
  const launcher = loadStackConfig();
  const config = consoleConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    KAFKA_BROKERS: stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    AUTH_PUBLIC_KEY_FILE: files.publicKeyFile,
    CONSOLE_SIGNING_KEY_FILE: files.privateKeyFile,
    ORDER_SERVICE_URL: serviceUrl(launcher, 'order-service'),
    INVENTORY_SERVICE_URL: serviceUrl(launcher, 'inventory-service'),
    PAYMENT_SERVICE_URL: serviceUrl(launcher, 'payment-service'),
    SHIPPING_SERVICE_URL: serviceUrl(launcher, 'shipping-service'),
    ORDER_SAGA_URL: serviceUrl(launcher, 'order-saga'),
    HEALTH_SAMPLE_MS: '500',
    ORDERS_POLL_MS: '300',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await buildApp(config, {
    logger: createLogger({ service: 'console', level: config.LOG_LEVEL }),
  });
  await app.start();
  const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, close: () => app.stop() };
}
