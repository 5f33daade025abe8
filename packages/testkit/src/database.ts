import { randomUUID } from 'node:crypto';
import { migrate } from '@orderflow/infra';
import { createPool } from '@orderflow/messaging';
import pg from 'pg';

/**
 * A fresh, migrated database for one test file, so integration tests never see each other's
 * rows. `drop()` removes it (connections are terminated first).
 */
export interface TestDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(
  serverUrl: string,
  migrationDirs: readonly string[],
): Promise<TestDatabase> {
  const name = `orderflow_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString(), migrationDirs);
  // The services' own pool (prepared statements), so tests run the SQL path production runs.
  const pool = createPool(url.toString());
  return {
    url: url.toString(),
    pool,
    async drop() {
      // DROP ... WITH (FORCE) may terminate a pooled connection that is still closing; that
      // error is expected here and must not crash the test process.
      pool.on('error', () => undefined);
      await pool.end();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
