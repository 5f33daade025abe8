import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import {
  kafkaBrokers,
  REPO_ROOT,
  registryUrl,
  servicePort,
  serviceUrl,
  type StackConfig,
} from '../config.js';
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
import { serviceDatabaseUrl } from './postgres.js';

const run = promisify(execFile);

/**
 * The platform's services, run from their TypeScript sources (tsx, with telemetry preloaded) or,
 * with SERVICE_RUNTIME=dist, from their build, with the stack's endpoints in their environment;
 * ready when `/health/ready` answers 200.
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
  return startProcess(
    config,
    service,
    process.execPath,
    [...serviceEntry(config, service), marker(config, service)],
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

/**
 * V8 grows a busy service's young generation to 128 MB, most of its resident memory; capped at
 * 16 MB semi-spaces RSS fell by ~100 MB per service with no measurable CPU cost (`./dev bench`,
 * 10 and 30 orders/s). The Dockerfile sets the same.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=16'] as const;

/** Node's arguments for a service: its sources through tsx, or its build (SERVICE_RUNTIME). */
function serviceEntry(config: StackConfig, service: ServiceName): string[] {
  const dir = serviceDir(service);
  const [folder, ext] = config.serviceRuntime === 'dist' ? ['dist', 'js'] : ['src', 'ts'];
  if (!existsSync(path.join(dir, folder, `main.${ext}`))) {
    throw new StackError(
      `${service} has no ${folder}/main.${ext}`,
      config.serviceRuntime === 'dist'
        ? 'Run `./dev build` (`./dev stack up` builds first).'
        : 'Restore the service sources (git status shows what is missing).',
    );
  }
  const entry = [
    ...SERVICE_NODE_FLAGS,
    ...(config.serviceRuntime === 'dist'
      ? []
      : ['--conditions=@orderflow/source', '--import', 'tsx']),
  ];
  if (existsSync(path.join(dir, folder, `instrument.${ext}`)))
    entry.push('--import', `./${folder}/instrument.${ext}`);
  return [...entry, `${folder}/main.${ext}`];
}

/** Compiles the services and what they import (turbo: cached, so quick when nothing changed). */
export async function buildServices(services: readonly ServiceName[]): Promise<void> {
  const turbo = path.join(REPO_ROOT, 'node_modules', '.bin', 'turbo');
  const filters = services.map((s) => `--filter=./services/${s}`);
  try {
    await run(turbo, ['run', 'build', '--output-logs=errors-only', ...filters], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new StackError(
      'Building the services failed.',
      'Fix the compile errors in the log tail (`./dev build` shows them all), or run from the sources: SERVICE_RUNTIME=source ./dev stack up.',
      (commandOutput(error) || String(error)).split('\n').slice(-40).join('\n'),
      { cause: error },
    );
  }
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
