import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned versions of what the launcher runs; see README "Versions" for why these. */
export const VERSIONS = {
  kafka: '4.1.1',
  log4j: '2.24.3',
  slf4j: '2.0.17',
  apicurio: '3.0.9',
} as const;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackConfig {
  readonly stackDir: string;
  readonly cacheDir: string;
  readonly host: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly registryPort: number;
  readonly databaseUrl: string;
  readonly javaHome: string | undefined;
  readonly kafkaHeap: string;
  readonly registryHeap: string;
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

/** Reads the launcher's settings from the environment once; every value has a local default. */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const stackDir = path.resolve(env.STACK_DIR ?? path.join(REPO_ROOT, '.stack'));
  return Object.freeze({
    stackDir,
    cacheDir: path.resolve(env.STACK_CACHE_DIR ?? path.join(REPO_ROOT, '.cache', 'stack')),
    host: '127.0.0.1',
    kafkaPort: port(env, 'KAFKA_PORT', 9092),
    kafkaControllerPort: port(env, 'KAFKA_CONTROLLER_PORT', 9093),
    registryPort: port(env, 'SCHEMA_REGISTRY_PORT', 8081),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    javaHome: env.JAVA_HOME || undefined,
    kafkaHeap: env.KAFKA_HEAP ?? '768m',
    registryHeap: env.SCHEMA_REGISTRY_HEAP ?? '384m',
  });
}

export function kafkaBrokers(config: StackConfig): string {
  return `${config.host}:${config.kafkaPort}`;
}

export function registryUrl(config: StackConfig): string {
  return `http://${config.host}:${config.registryPort}/apis/ccompat/v7`;
}
