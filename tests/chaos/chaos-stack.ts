import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import {
  componentPid,
  loadStackConfig,
  PROMETHEUS,
  serviceDatabaseName,
  serviceDatabaseUrl,
  startComponent,
  ZIPKIN,
  type StackConfig,
} from '@orderflow/infra';

/**
 * The chaos suite's own stack instance: its folder, broker, registry, service ports and database
 * names are all apart from the shared stack's, so killing and resetting things here never
 * touches what other people are testing against. The shared artifact cache is reused.
 */
export const CHAOS_STACK_ENV = Object.freeze({
  // Not under .stack/: tools that look for (or stop) the shared stack's processes by their
  // `-Dorderflow.stack=<repo>/.stack` marker must not take these for theirs.
  STACK_DIR: process.env.CHAOS_STACK_DIR ?? path.join(tmpdir(), 'orderflow-chaos-stack'),
  KAFKA_PORT: '19092',
  KAFKA_CONTROLLER_PORT: '19093',
  SCHEMA_REGISTRY_PORT: '18081',
  SERVICE_PORT_OFFSET: '10000',
  DATABASE_NAME_PREFIX: 'chaos_',
  // One instance of each service whatever the caller's STACK_INSTANCES: the scenarios kill and
  // count processes per service; scenario 6 starts the second instances it needs itself.
  STACK_INSTANCES: '1',
  // Admission control off: the scenarios hold the offered load steady through their faults and
  // judge what the platform does with it. With the bounds on, order-service would shed that load
  // with 503s while a service restarts (its own integration test and the bench cover that).
  ADMISSION_MAX_IN_FLIGHT: '1000000',
  ADMISSION_MAX_OLDEST_AGE_MS: '3600000',
  // The per-client rate limit too: the load places every order with one admin token and polls
  // each to the end, past what one real client may send (service-runtime's tests cover the limit).
  RATE_LIMIT_MAX: '1000000',
});

/** The chaos stack's config; workers inherit CHAOS_STACK_ENV from the global setup. */
export function chaosStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadStackConfig({ ...env, ...CHAOS_STACK_ENV });
}

/** Processes still running with this stack's marker on their command line (should be none). */
export function survivors(config: StackConfig): string[] {
  const marker = `-Dorderflow.stack=${config.stackDir}#`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmd.includes(marker) ? [`${pid} ${cmd.slice(0, 120)}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/**
 * Starts whatever of the broker and the services is not running, so a scenario that failed
 * half-way through its faults does not fail the next ones too. Returns what it had to start.
 */
export async function heal(config: StackConfig): Promise<string[]> {
  const started: string[] = [];
  for (const component of ['kafka', ...SERVICE_NAMES] as const) {
    if (componentPid(config, component) !== undefined) continue;
    await startComponent(config, component, { timeoutMs: 180_000 });
    started.push(component);
  }
  if (started.length > 0)
    process.stderr.write(
      `[chaos] restarted what an earlier scenario left down: ${started.join(', ')}\n`,
    );
  return started;
}

/** Drops the chaos databases (connections are cut first), so a run starts from the seed. */
export async function dropChaosDatabases(config: StackConfig): Promise<void> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    for (const service of SERVICE_NAMES) {
      const name = serviceDatabaseName(config, service);
      if (!name.startsWith(CHAOS_STACK_ENV.DATABASE_NAME_PREFIX)) {
        throw new Error(`refusing to drop ${name}: not a chaos database`);
      }
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/** One small pool per service database of the chaos stack, for reading invariants. */
export type ServicePools = Readonly<Record<ServiceName, pg.Pool>>;

export function servicePools(config: StackConfig): ServicePools & { end(): Promise<void> } {
  const pools = Object.fromEntries(
    SERVICE_NAMES.map((s) => [
      s,
      new pg.Pool({ connectionString: serviceDatabaseUrl(config, s), max: 2 }),
    ]),
  ) as Record<ServiceName, pg.Pool>;
  return {
    ...pools,
    async end() {
      await Promise.all(Object.values(pools).map((p) => p.end()));
    },
  };
}

// Zipkin and Prometheus run only when asked for (--with); the chaos stack does without them.
const OPTIONAL: readonly string[] = [ZIPKIN, PROMETHEUS];

/** A status row of a component that is up, or that this stack does not run. */
export const usable = (row: { readonly component: string; readonly state: string }): boolean =>
  row.state === 'ready' || OPTIONAL.includes(row.component);
