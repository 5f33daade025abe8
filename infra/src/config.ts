import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName } from '@orderflow/contracts';
import { instancePortShift, parseInstanceCount } from './instances.js';

/** Pinned versions of what the launcher runs; see README "Versions" for why these. */
export const VERSIONS = {
  kafka: '4.1.1',
  log4j: '2.24.3',
  slf4j: '2.0.17',
  apicurio: '3.0.9',
  zipkin: '3.5.1',
} as const;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackConfig {
  readonly stackDir: string;
  readonly cacheDir: string;
  readonly host: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly registryPort: number;
  /** Zipkin (`up --with tracing`): UI, query API and span intake. */
  readonly zipkinPort: number;
  /** Prometheus (`up --with metrics`). */
  readonly prometheusPort: number;
  /** Added to every service's catalogue port, so a second stack's services do not collide. */
  readonly servicePortOffset: number;
  /** Instances of every service `up` runs (STACK_INSTANCES, `--instances`); see instances.ts. */
  readonly serviceInstances: number;
  readonly databaseUrl: string;
  /** Put before every service's catalogue database name (e.g. `chaos_orderflow_orders`). */
  readonly databaseNamePrefix: string;
  readonly javaHome: string | undefined;
  readonly kafkaHeap: string;
  readonly registryHeap: string;
  readonly zipkinHeap: string;
  /**
   * How services run: `dist` (default) is the compiled JavaScript `stack up` builds first (turbo,
   * cached), as in production and the images; `source` is their TypeScript through tsx, for a
   * quick edit-and-restart. The default is the one the bench favours: the same CPU per order
   * with less memory per service and a faster start (README, measured figures).
   */
  readonly serviceRuntime: ServiceRuntime;
  /**
   * How a broker this stack formats authenticates clients (STACK_KAFKA_SECURITY, `up --secure`):
   * `scram` is SASL/SCRAM-SHA-512 with ACLs from the ownership manifest. Unset: a running
   * broker keeps the mode it was formatted with, a new one is plaintext (README "Security").
   */
  readonly kafkaSecurity: KafkaSecurityMode | undefined;
}

export const KAFKA_SECURITY_MODES = ['plaintext', 'scram'] as const;
export type KafkaSecurityMode = (typeof KAFKA_SECURITY_MODES)[number];

function kafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurityMode | undefined {
  const raw = env.STACK_KAFKA_SECURITY;
  if (raw === undefined || raw === '') return undefined;
  if (!(KAFKA_SECURITY_MODES as readonly string[]).includes(raw)) {
    throw new Error(
      `STACK_KAFKA_SECURITY=${raw} must be one of: ${KAFKA_SECURITY_MODES.join(', ')}`,
    );
  }
  return raw as KafkaSecurityMode;
}

export const SERVICE_RUNTIMES = ['source', 'dist'] as const;
export type ServiceRuntime = (typeof SERVICE_RUNTIMES)[number];

function serviceRuntime(env: NodeJS.ProcessEnv): ServiceRuntime {
  const raw = env.SERVICE_RUNTIME || 'dist';
  if (!(SERVICE_RUNTIMES as readonly string[]).includes(raw)) {
    throw new Error(`SERVICE_RUNTIME=${raw} must be one of: ${SERVICE_RUNTIMES.join(', ')}`);
  }
  return raw as ServiceRuntime;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return n;
}

function servicePortOffset(env: NodeJS.ProcessEnv): number {
  const raw = env.SERVICE_PORT_OFFSET;
  if (raw === undefined || raw === '') return 0;
  const offset = Number(raw);
  const ports = Object.values(SERVICES).map((s) => s.port);
  if (
    !Number.isInteger(offset) ||
    Math.min(...ports) + offset < 1 ||
    Math.max(...ports) + offset > 65535
  ) {
    throw new Error(
      `SERVICE_PORT_OFFSET=${raw} does not move the service ports (${ports.join(', ')}) into 1-65535`,
    );
  }
  return offset;
}

function serviceInstances(env: NodeJS.ProcessEnv, offset: number): number {
  const count = parseInstanceCount(env.STACK_INSTANCES);
  const highest = Math.max(...Object.values(SERVICES).map((s) => s.port)) + offset;
  if (highest + instancePortShift(count) > 65535) {
    throw new Error(
      `STACK_INSTANCES=${count} would put instance ${count} of a service on port ${highest + instancePortShift(count)}, past 65535 (lower SERVICE_PORT_OFFSET or the instances)`,
    );
  }
  return count;
}

function databaseNamePrefix(env: NodeJS.ProcessEnv): string {
  const raw = env.DATABASE_NAME_PREFIX ?? '';
  // Database names are spliced into SQL as identifiers: keep them to plain lower-case words.
  if (!/^[a-z0-9_]{0,20}$/.test(raw)) {
    throw new Error(`DATABASE_NAME_PREFIX=${raw} must be up to 20 of a-z, 0-9 and _`);
  }
  return raw;
}

/** Reads the launcher's settings from the environment once; every value has a local default. */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const stackDir = path.resolve(env.STACK_DIR ?? path.join(REPO_ROOT, '.stack'));
  const offset = servicePortOffset(env);
  return Object.freeze({
    stackDir,
    cacheDir: path.resolve(env.STACK_CACHE_DIR ?? path.join(REPO_ROOT, '.cache', 'stack')),
    host: '127.0.0.1',
    kafkaPort: port(env, 'KAFKA_PORT', 9092),
    kafkaControllerPort: port(env, 'KAFKA_CONTROLLER_PORT', 9093),
    registryPort: port(env, 'SCHEMA_REGISTRY_PORT', 8081),
    zipkinPort: port(env, 'ZIPKIN_PORT', 9411),
    prometheusPort: port(env, 'PROMETHEUS_PORT', 9090),
    servicePortOffset: offset,
    serviceInstances: serviceInstances(env, offset),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    databaseNamePrefix: databaseNamePrefix(env),
    javaHome: env.JAVA_HOME || undefined,
    kafkaHeap: env.KAFKA_HEAP ?? '768m',
    registryHeap: env.SCHEMA_REGISTRY_HEAP ?? '384m',
    zipkinHeap: env.ZIPKIN_HEAP ?? '512m',
    serviceRuntime: serviceRuntime(env),
    kafkaSecurity: kafkaSecurity(env),
  });
}

export function kafkaBrokers(config: StackConfig): string {
  return `${config.host}:${config.kafkaPort}`;
}

export function registryUrl(config: StackConfig): string {
  return `http://${config.host}:${config.registryPort}/apis/ccompat/v7`;
}

/**
 * Where this stack runs a service's instance (1-based): its catalogue port moved by
 * SERVICE_PORT_OFFSET, and by INSTANCE_PORT_STEP per instance after the first.
 */
export function servicePort(config: StackConfig, service: ServiceName, instance = 1): number {
  return SERVICES[service].port + config.servicePortOffset + instancePortShift(instance);
}

export function serviceUrl(config: StackConfig, service: ServiceName, instance = 1): string {
  return `http://${config.host}:${servicePort(config, service, instance)}`;
}

/** This stack's database of a service: its catalogue name behind DATABASE_NAME_PREFIX. */
export function serviceDatabaseName(config: StackConfig, service: ServiceName): string {
  return `${config.databaseNamePrefix}${SERVICES[service].database}`;
}
