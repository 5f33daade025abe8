import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDevKeyPair } from '@orderflow/auth';
import { OPERATOR_PRINCIPAL, SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { kafkaBrokers, REPO_ROOT, registryUrl, serviceUrl, type StackConfig } from '../config.js';
import { commandOutput, StackError } from '../errors.js';
import { checkPortFree } from '../preflight.js';
import {
  marker,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { waitUntil } from '../wait.js';
import { kafkaClientEnv } from './kafka-security.js';

/**
 * The operator console (services/console): not a platform service (no database, no consumer
 * group), so it is its own component. It is always built first (its page is a Vite build), runs
 * on 3005 (moved by SERVICE_PORT_OFFSET), reads the stack's services, and signs its admin tokens
 * with the stack's development key.
 */
const run = promisify(execFile);
export const CONSOLE = 'console';
const CONSOLE_DIR = path.join(REPO_ROOT, 'services', 'console');
const CONSOLE_PORT = 3005;

export function consoleUrl(config: StackConfig): string {
  return `http://${config.host}:${CONSOLE_PORT + config.servicePortOffset}`;
}

const URL_VARIABLES: Record<ServiceName, string> = {
  'order-service': 'ORDER_SERVICE_URL',
  'inventory-service': 'INVENTORY_SERVICE_URL',
  'payment-service': 'PAYMENT_SERVICE_URL',
  'shipping-service': 'SHIPPING_SERVICE_URL',
  'order-saga': 'ORDER_SAGA_URL',
};

export async function buildConsole(): Promise<void> {
  const turbo = path.join(REPO_ROOT, 'node_modules', '.bin', 'turbo');
  try {
    await run(turbo, ['run', 'build', '--output-logs=errors-only', '--filter=./services/console'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new StackError(
      'Building the console failed.',
      'Fix the errors in the log tail (`./dev --filter @orderflow/console build` shows them all).',
      (commandOutput(error) || String(error)).split('\n').slice(-40).join('\n'),
      { cause: error },
    );
  }
}

export async function startConsole(config: StackConfig): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, CONSOLE)) return undefined;
  const port = CONSOLE_PORT + config.servicePortOffset;
  await checkPortFree(config.host, port, CONSOLE, 3_000);
  const keys = await ensureDevKeyPair(config.stackDir);
  return startProcess(
    config,
    CONSOLE,
    process.execPath,
    ['dist/main.js', marker(config, CONSOLE)],
    CONSOLE_DIR,
    {
      ...process.env,
      PORT: String(port),
      HOST: config.host,
      KAFKA_BROKERS: kafkaBrokers(config),
      SCHEMA_REGISTRY_URL: registryUrl(config),
      AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
      ...kafkaClientEnv(config, OPERATOR_PRINCIPAL),
      CONSOLE_SIGNING_KEY_FILE: keys.privateKeyFile,
      ...Object.fromEntries(SERVICE_NAMES.map((s) => [URL_VARIABLES[s], serviceUrl(config, s)])),
    },
  );
}

export async function waitForConsole(config: StackConfig, timeoutMs = 60_000): Promise<void> {
  const url = `${consoleUrl(config)}/health/ready`;
  await waitUntil(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    },
    { what: `the console at ${url}`, timeoutMs, ...watchProcess(config, CONSOLE) },
  );
}
