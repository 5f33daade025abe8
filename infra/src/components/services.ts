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
import { parseInstance, type ServiceInstance } from '../instances.js';
import { checkPortFree } from '../preflight.js';
import {
  marker,
  recordedComponents,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { waitUntil } from '../wait.js';
import { serviceAuthEnv } from './auth-keys.js';
import { kafkaClientEnv } from './kafka-security.js';
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

/** The instances of `service` this stack runs now, whatever `up` was asked for, by index. */
export function runningInstances(config: StackConfig, service: ServiceName): ServiceInstance[] {
  return recordedComponents(config)
    .map(parseInstance)
    .filter((i): i is ServiceInstance => i?.service === service)
    .filter((i) => runningProcess(config, i.component) !== undefined)
    .sort((a, b) => a.index - b.index);
}

/**
 * Starts one instance of a service. Every instance of a service gets the same database and
 * joins the same consumer group (the service's name); only its port differs. `env` is added to
 * its environment (e.g. a fault-injection switch for one run).
 */
export async function startService(
  config: StackConfig,
  { service, index, component }: ServiceInstance,
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, component)) return undefined;
  const port = servicePort(config, service, index);
  // A grace period: after a crash (or a chaos suite's SIGKILL) the port frees a moment later.
  await checkPortFree(config.host, port, component, 3_000);
  const dir = serviceDir(service);
  return startProcess(
    config,
    component,
    process.execPath,
    [...serviceEntry(config, service), marker(config, component)],
    dir,
    {
      ...process.env,
      PORT: String(port),
      HOST: config.host,
      DATABASE_URL: serviceDatabaseUrl(config, service),
      // node-postgres sends it as application_name: pg_stat_activity (and so pg_locks) names
      // the instance behind each connection, e.g. which one holds the outbox relay's lock.
      PGAPPNAME: component,
      KAFKA_BROKERS: kafkaBrokers(config),
      SCHEMA_REGISTRY_URL: registryUrl(config),
      ...(await serviceAuthEnv(config)),
      // Its own principal on a secured broker: the ACLs of what it owns and consumes.
      ...kafkaClientEnv(config, service),
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
  { service, index, component }: ServiceInstance,
  timeoutMs = 60_000,
): Promise<void> {
  const url = `${serviceUrl(config, service, index)}/health/ready`;
  await waitUntil(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    },
    { what: `${component} at ${url}`, timeoutMs, ...watchProcess(config, component) },
  );
}
