import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { REPO_ROOT, serviceDatabaseName, type StackConfig } from '../config.js';
import { StackError } from '../errors.js';

/** One database per service on the local Postgres server, each migrated to the latest schema. */
export function serviceDatabaseUrl(config: StackConfig, service: ServiceName): string {
  const url = new URL(config.databaseUrl);
  url.pathname = `/${serviceDatabaseName(config, service)}`;
  return url.toString();
}

/**
 * Migration folders of a service: the messaging tables (outbox, inbox) first, the event store for
 * the event-sourced order-service, then the service's own.
 */
export function migrationDirs(service: ServiceName): string[] {
  return [
    path.join(REPO_ROOT, 'packages', 'messaging', 'migrations'),
    ...(service === 'order-service'
      ? [path.join(REPO_ROOT, 'packages', 'event-store', 'migrations')]
      : []),
    path.join(REPO_ROOT, 'services', service, 'migrations'),
  ].filter((dir) => existsSync(dir));
}

function unreachable(config: StackConfig, error: unknown): StackError {
  const url = new URL(config.databaseUrl);
  url.password = url.password ? '***' : '';
  return new StackError(
    `Postgres at ${url.host} is not reachable (${error instanceof Error ? error.message : String(error)}).`,
    `Start PostgreSQL (Debian: pg_ctlcluster 15 main start) or point DATABASE_URL at a server (now ${url.toString()}).`,
    undefined,
    { cause: error },
  );
}

async function connect(config: StackConfig): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: config.databaseUrl,
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    throw unreachable(config, error);
  }
}

export async function ensureReachable(config: StackConfig): Promise<void> {
  const client = await connect(config);
  await client.end();
}

export async function ensureDatabases(
  config: StackConfig,
): Promise<{ created: string[]; existing: string[] }> {
  const client = await connect(config);
  const created: string[] = [];
  const existing: string[] = [];
  try {
    for (const service of SERVICE_NAMES) {
      const name = serviceDatabaseName(config, service);
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) {
        existing.push(name);
      } else {
        // Identifiers cannot be bound as parameters; the name comes from our own catalogue.
        await client.query(`CREATE DATABASE "${name}"`);
        created.push(name);
      }
    }
  } finally {
    await client.end();
  }
  return { created, existing };
}

/** Applies the pending SQL migrations of `dirs` (in file-name order across them) to one database. */
export async function migrate(databaseUrl: string, dirs: readonly string[]): Promise<number> {
  const done = await runner({
    databaseUrl,
    dir: dirs.map((dir) => path.join(dir, '*.sql')),
    useGlob: true,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log: () => undefined,
  });
  return done.length;
}

/** Runs every pending migration of every service; returns how many were applied. */
export async function migrateAll(config: StackConfig): Promise<number> {
  let applied = 0;
  for (const service of SERVICE_NAMES) {
    const dir = migrationDirs(service);
    if (dir.length === 0) continue;
    try {
      applied += await migrate(serviceDatabaseUrl(config, service), dir);
    } catch (error) {
      throw new StackError(
        `Migrating the ${service} database failed: ${error instanceof Error ? error.message : String(error)}.`,
        `Fix the migration in ${dir.join(' or ')} and run './dev stack up' again.`,
        undefined,
        { cause: error },
      );
    }
  }
  return applied;
}
