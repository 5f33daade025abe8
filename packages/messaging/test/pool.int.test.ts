import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@orderflow/testkit';
import { createPool, StatementNames } from '../src/index.js';
import { env, MIGRATIONS } from './support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
});
afterAll(() => db.drop());

/** The statements this session has prepared, as the server sees them. */
async function prepared(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ statement: string }>(
    'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time',
  );
  return rows.map((r) => r.statement);
}

describe('createPool: parameterised queries as prepared statements', () => {
  it('prepares a query with values once per connection and reuses it', async () => {
    const pool = createPool(db.url, 1);
    try {
      const text = 'SELECT $1::int + 1 AS n';
      const first = await pool.query<{ n: number }>(text, [1]);
      const second = await pool.query<{ n: number }>(text, [41]);
      expect([first.rows[0]?.n, second.rows[0]?.n]).toEqual([2, 42]);
      const client = await pool.connect();
      try {
        expect(await prepared(client)).toEqual([text]);
        // A checked-out client prepares too, and a statement without values stays unnamed.
        await client.query('BEGIN');
        await client.query('SELECT count(*) FROM outbox WHERE seq > $1', [0]);
        await client.query('COMMIT');
        expect(await prepared(client)).toEqual([
          text,
          'SELECT count(*) FROM outbox WHERE seq > $1',
        ]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });

  it('runs the texts past the cap unnamed, with the same results', async () => {
    const names = new StatementNames(2);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    names.prepareOn(client);
    try {
      const sums: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const { rows } = await client.query<{ n: number }>(`SELECT $1::int + ${i} AS n`, [10]);
        sums.push(rows[0]?.n ?? -1);
      }
      expect(sums).toEqual([10, 11, 12, 13]);
      expect(await prepared(client)).toEqual([
        'SELECT $1::int + 0 AS n',
        'SELECT $1::int + 1 AS n',
      ]);
    } finally {
      await client.end();
    }
  });

  it('keeps a failed statement from poisoning the connection', async () => {
    const pool = createPool(db.url, 1);
    try {
      const text = 'SELECT 1 / $1::int AS n';
      await expect(pool.query(text, [0])).rejects.toThrow('division by zero');
      const { rows } = await pool.query<{ n: number }>(text, [1]);
      expect(rows[0]?.n).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
