import { allTopics } from '@orderflow/contracts';
import { ensureTopics } from '@orderflow/messaging/admin';
import type { StackConfig } from './config.js';
import { ensureDatabases, migrateAll } from './components/postgres.js';
import { StackError } from './errors.js';

/**
 * `./dev stack provision`: the launcher's database and topic steps on infrastructure someone else
 * runs (docker-compose.yml's one-shot services run it in containers). Unlike `stack up`, every
 * endpoint must be given: a one-shot whose compose file forgot KAFKA_BROKERS must fail, not
 * quietly provision the launcher's default broker on 127.0.0.1.
 */
export const PROVISION_STEPS = ['postgres', 'topics'] as const;
export type ProvisionStep = (typeof PROVISION_STEPS)[number];

export interface ProvisionEndpoints {
  /** The server the per-service databases are created on (DATABASE_URL). */
  readonly databaseUrl?: string | undefined;
  /** Comma-separated host:port list (KAFKA_BROKERS). */
  readonly brokers?: string | undefined;
}

function required(value: string | undefined, step: ProvisionStep, what: string): string {
  if (value === undefined || value.trim() === '') {
    throw new StackError(
      `'provision ${step}' needs ${what}.`,
      `Set ${what} (compose: the one-shot service's environment).`,
    );
  }
  return value;
}

/** Runs the steps in order and returns one line per step saying what it did. */
export async function provisionSteps(
  config: StackConfig,
  steps: readonly ProvisionStep[],
  endpoints: ProvisionEndpoints,
): Promise<string[]> {
  const lines: string[] = [];
  for (const step of steps) {
    if (step === 'postgres') {
      // loadStackConfig falls back to a local default; a one-shot must name its server.
      const databaseUrl = required(endpoints.databaseUrl, step, 'DATABASE_URL');
      const target = { ...config, databaseUrl };
      const dbs = await ensureDatabases(target);
      const applied = await migrateAll(target);
      lines.push(
        `Postgres: ${dbs.created.length} databases created, ${dbs.existing.length} present, ${applied} migrations applied`,
      );
    } else {
      const brokers = required(endpoints.brokers, step, 'KAFKA_BROKERS')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      const result = await ensureTopics(brokers, allTopics());
      lines.push(
        `Topics: ${result.created.length} created, ${result.existing.length} already present`,
      );
    }
  }
  return lines;
}
