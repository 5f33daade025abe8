import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { OUTBOX_CHANNEL } from '@orderflow/messaging';
import type { Pgbench, PgbenchRun } from '../results.js';
import { REPO_ROOT } from '../paths.js';
import { hopScript, SAGA_ROWS, seedSql } from './hop-sql.js';

/**
 * Baseline (c): pgbench running one hop's transaction (inbox insert, saga state read and update,
 * outbox insert with its NOTIFY) on a scratch database of the same Postgres server, with the
 * tables made by the real migrations. Flat out with several clients (capacity) and with one
 * client (the latency a hop pays for its transaction when nothing queues).
 */
const run = promisify(execFile);

/** pgbench's query protocol: named prepared statements, as the services' pool sends them (createPool). */
const PGBENCH_PROTOCOL = 'prepared';

const MIGRATIONS = [
  'packages/messaging/migrations/1700000000000_messaging-outbox-inbox.sql',
  'services/order-saga/migrations/1764000000000_order-saga.sql',
];

/** The part of a node-pg-migrate SQL file between `-- Up Migration` and `-- Down Migration`. */
export function upSection(sql: string): string {
  const up = sql.indexOf('-- Up Migration');
  const down = sql.indexOf('-- Down Migration');
  if (up < 0) throw new Error('not a migration file: no "-- Up Migration" line');
  return sql.slice(up, down < 0 ? undefined : down).trim();
}

/** pgbench's version, or undefined when it is not installed. */
export async function pgbenchVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pgbench', ['--version']);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function recreate(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}

async function prepare(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const file of MIGRATIONS)
      await client.query(upSection(await readFile(path.join(REPO_ROOT, file), 'utf8')));
    await client.query(seedSql(SAGA_ROWS));
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function pgbench(url: string, script: string, clients: number, seconds: number) {
  const u = new URL(url);
  const { stdout } = await run(
    'pgbench',
    [
      '-n', // no vacuum of pgbench's own tables: there are none
      ...['-M', PGBENCH_PROTOCOL],
      ...['-c', String(clients), '-j', String(Math.min(clients, 2))],
      ...['-T', String(seconds)],
      ...['-f', script],
      ...['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username)],
      u.pathname.slice(1),
    ],
    {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
      timeout: (seconds + 60) * 1000,
    },
  ).catch((error: unknown) => {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const first = stderr.split('\n').find((l) => l.includes('error')) ?? stderr.trim();
    throw new Error(`pgbench failed: ${first || String(error)}`, { cause: error });
  });
  return parsePgbench(stdout, clients, seconds);
}

export function parsePgbench(stdout: string, clients: number, seconds: number): PgbenchRun {
  const number = (pattern: RegExp, what: string): number => {
    const match = pattern.exec(stdout);
    if (!match) throw new Error(`pgbench printed no ${what}:\n${stdout.slice(-600)}`);
    return Number(match[1]);
  };
  return {
    clients,
    seconds,
    transactions: number(/number of transactions actually processed: (\d+)/, 'transaction count'),
    failed: /number of failed transactions: (\d+)/.test(stdout)
      ? number(/number of failed transactions: (\d+)/, 'failures')
      : 0,
    latencyAvgMs: number(/latency average = ([\d.]+) ms/, 'average latency'),
    tps: number(/tps = ([\d.]+)/, 'tps'),
  };
}

export interface PgbenchOptions {
  readonly adminUrl: string;
  readonly database: string;
  readonly clients: number;
  readonly seconds: number;
  readonly version: string;
}

export async function runPgbench(
  options: PgbenchOptions,
  progress: (line: string) => void,
): Promise<Pgbench> {
  const url = databaseUrl(options.adminUrl, options.database);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orderflow-pgbench-'));
  const script = hopScript(OUTBOX_CHANNEL);
  const file = path.join(dir, 'hop.sql');
  try {
    progress(`scratch database ${options.database}: migrations and ${SAGA_ROWS} saga rows`);
    await recreate(options.adminUrl, options.database);
    await prepare(url);
    await writeFile(file, script);
    progress(`${options.clients} clients for ${options.seconds} s`);
    const concurrent = await pgbench(url, file, options.clients, options.seconds);
    progress(`1 client for ${options.seconds} s`);
    const single = await pgbench(url, file, 1, options.seconds);
    return { version: options.version, concurrent, single, script, protocol: PGBENCH_PROTOCOL };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(options.adminUrl, options.database).catch(() => undefined);
  }
}
