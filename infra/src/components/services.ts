import { existsSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import {
  kafkaBrokers,
  REPO_ROOT,
  registryUrl,
  servicePort,
  serviceUrl,
  type StackConfig,
} from '../config.js';
import { checkPortFree } from '../preflight.js';
import {
  marker,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { waitUntil } from '../wait.js';
import { serviceDatabaseUrl } from './postgres.js';

/**
 * The platform's services, run from their TypeScript sources (tsx, with telemetry preloaded) with
 * the stack's endpoints in their environment; ready when `/health/ready` answers 200.
 */
export function serviceDir(service: ServiceName): string {
  return path.join(REPO_ROOT, 'services', service);
}

/** Services that have an entry point yet (the platform is built one service at a time). */
export function runnableServices(): ServiceName[] {
  return SERVICE_NAMES.filter((s) => existsSync(path.join(serviceDir(s), 'src', 'main.ts')));
}

export { serviceUrl };

/** `env` is added to the service's environment (e.g. a fault-injection switch for one run). */
export async function startService(
  config: StackConfig,
  service: ServiceName,
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, service)) return undefined;
  const port = servicePort(config, service);
  // A grace period: after a crash (or a chaos suite's SIGKILL) the port frees a moment later.
  await checkPortFree(config.host, port, service, 3_000);
  const dir = serviceDir(service);
  const entry = ['--conditions=@orderflow/source', '--import', 'tsx'];
  if (existsSync(path.join(dir, 'src', 'instrument.ts')))
    entry.push('--import', './src/instrument.ts');
  return startProcess(
    config,
    service,
    process.execPath,
    [...entry, 'src/main.ts', marker(config, service)],
    dir,
    {
      ...process.env,
      PORT: String(port),
      HOST: config.host,
      DATABASE_URL: serviceDatabaseUrl(config, service),
      KAFKA_BROKERS: kafkaBrokers(config),
      SCHEMA_REGISTRY_URL: registryUrl(config),
      ...env,
    },
  );
}

export async function waitForService(
  config: StackConfig,
  service: ServiceName,
  timeoutMs = 60_000,
): Promise<void> {
  const url = `${serviceUrl(config, service)}/health/ready`;
  await waitUntil(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    },
    { what: `${service} at ${url}`, timeoutMs, ...watchProcess(config, service) },
  );
}
