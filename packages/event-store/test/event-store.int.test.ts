import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
} from '@orderflow/testkit';
import type pg from 'pg';
import {
  appendToStream,
  ConcurrencyError,
  EVENT_STORE_MIGRATIONS,
  EventStore,
  readStream,
  type Queryable,
} from '../src/index.js';
import { added, counter, foldCounter, type CounterEvent } from './support.js';

let db: TestDatabase;
const store = new EventStore({ aggregate: counter, snapshotEvery: 10 });
const streamId = () => `counter-${randomUUID()}`;

beforeAll(async () => {
  db = await createTestDatabase(testEnvironment().databaseUrl, [EVENT_STORE_MIGRATIONS]);
});
afterAll(async () => {
  await db.drop();
});

/** Runs `work` in one transaction on its own connection, as a service would. */
async function inTransaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function appendOneByOne(id: string, count: number): Promise<CounterEvent[]> {
  const events = Array.from({ length: count }, (_, i) => added(i + 1));
  for (const [i, event] of events.entries()) {
    await inTransaction((tx) => store.append(tx, id, i, [event]));
  }
  return events;
}

async function snapshotVersions(id: string): Promise<number[]> {
  const { rows } = await db.pool.query<{ version: number }>(
    'SELECT version FROM snapshots WHERE stream_id = $1 ORDER BY version',
    [id],
  );
  return rows.map((row) => row.version);
}

describe('append and read', () => {
  it('reads back what was appended, in order, with metadata and ranges', async () => {
    const id = streamId();
    const result = await inTransaction((tx) =>
      store.append(tx, id, 0, [added(1), added(2), { type: 'Reset' }], { correlationId: 'c-1' }),
    );
    expect(result).toEqual({ version: 3, snapshotVersion: null });

    const events = await store.readStream(db.pool, id);
    expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'Added', added(1)],
      [2, 'Added', added(2)],
      [3, 'Reset', { type: 'Reset' }],
    ]);
    expect(events[0]?.metadata).toEqual({ correlationId: 'c-1' });
    expect(events[0]?.recordedAt).toBeInstanceOf(Date);
    const middle = await readStream(db.pool, id, { fromVersion: 2, toVersion: 2 });
    expect(middle.map((e) => e.version)).toEqual([2]);
    expect(await store.readStream(db.pool, streamId())).toEqual([]);
  });

  it('refuses an expected version behind or ahead of the stream', async () => {
    const id = streamId();
    await inTransaction((tx) => store.append(tx, id, 0, [added(1), added(2)]));
    for (const expected of [1, 5]) {
      const attempt = inTransaction((tx) => store.append(tx, id, expected, [added(9)]));
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(attempt).rejects.toMatchObject({ retryable: true, actualVersion: 2 });
    }
    expect((await store.readStream(db.pool, id)).map((e) => e.version)).toEqual([1, 2]);
  });
});

describe('concurrent appends at the same expected version', () => {
  it('the primary key lets exactly one win while the other waits for it', async () => {
    const id = streamId();
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await store.append(first, id, 0, [added(1)]);
      // The second writer passes the version guard (the first has not committed) and blocks on
      // the primary key until the first commits: the race the key, not a read, settles.
      const losing = store.append(second, id, 0, [added(2)]).then(
        () => 'appended',
        (error: unknown) => error,
      );
      await eventually("the second writer to wait on the first one's row lock", async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(rows[0]?.n).toBe(1);
      });
      await first.query('COMMIT');
      const outcome = await losing;
      expect(outcome).toBeInstanceOf(ConcurrencyError);
      expect(outcome).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 0 });
      await second.query('ROLLBACK');
    } finally {
      first.release();
      second.release();
    }
    expect((await store.readStream(db.pool, id)).map((e) => e.data)).toEqual([added(1)]);
  });

  it('many racing writers: one winner per version, every loser gets ConcurrencyError', async () => {
    const id = streamId();
    await inTransaction((tx) => store.append(tx, id, 0, [added(0)]));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        inTransaction((tx) => store.append(tx, id, 1, [added(i + 1)])),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const error of lost) expect(error).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(db.pool, id)).toHaveLength(2);
  });
});

describe('snapshots', () => {
  it('are written every N events, by the append that crosses the threshold', async () => {
    const id = streamId();
    await appendOneByOne(id, 25);
    expect(await snapshotVersions(id)).toEqual([10, 20]);

    const batched = streamId();
    await inTransaction((tx) =>
      store.append(
        tx,
        batched,
        0,
        Array.from({ length: 8 }, () => added(1)),
      ),
    );
    const crossing = await inTransaction((tx) =>
      store.append(
        tx,
        batched,
        8,
        Array.from({ length: 8 }, () => added(1)),
      ),
    );
    expect(crossing).toEqual({ version: 16, snapshotVersion: 16 });
    expect(await snapshotVersions(batched)).toEqual([16]);
  });

  it('roll back with the append they belong to', async () => {
    const id = streamId();
    await inTransaction((tx) =>
      store.append(
        tx,
        id,
        0,
        Array.from({ length: 9 }, () => added(1)),
      ),
    );
    await expect(
      inTransaction(async (tx) => {
        await store.append(tx, id, 9, [added(1)]);
        throw new Error('the caller fails after appending');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await snapshotVersions(id)).toEqual([]);
    expect(await store.readStream(db.pool, id)).toHaveLength(9);
  });

  it('are what rebuild starts from', async () => {
    const id = streamId();
    const events = await appendOneByOne(id, 12);
    // Tamper with the snapshot: only a rebuild that reads it can see the change.
    await db.pool.query(
      `UPDATE snapshots SET state = jsonb_set(state, '{total}', '1000') WHERE stream_id = $1`,
      [id],
    );
    expect((await store.rebuild(db.pool, id)).state.total).toBe(1000 + 11 + 12);
    expect(await store.rebuildFromEvents(db.pool, id)).toEqual({
      state: foldCounter(events),
      version: 12,
    });
  });
});

describe('rebuild', () => {
  it('from a snapshot equals from the first event, and upTo gives the state as of a version', async () => {
    const id = streamId();
    const events = await appendOneByOne(id, 25);
    const latest = await store.rebuild(db.pool, id);
    expect(latest).toEqual(await store.rebuildFromEvents(db.pool, id));
    expect(latest).toEqual({ state: foldCounter(events), version: 25 });
    for (let v = 0; v <= 25; v++) {
      const asOf = await store.rebuild(db.pool, id, { upTo: v });
      expect(asOf).toEqual({ state: foldCounter(events.slice(0, v)), version: v });
    }
    expect(await store.rebuild(db.pool, id, { upTo: 99 })).toEqual(latest);
  });

  it('of an unknown stream is the initial state at version 0', async () => {
    expect(await store.rebuild(db.pool, streamId())).toEqual({
      state: counter.initialState(),
      version: 0,
    });
  });
});

describe('a large stream', () => {
  it('reads and rebuilds 5,000 events through the primary key', async () => {
    const id = streamId();
    const tx: Queryable = db.pool;
    for (let batch = 0; batch < 10; batch++) {
      const events = Array.from({ length: 500 }, (_, i) => added(batch * 500 + i));
      await appendToStream(tx, id, batch * 500, events, {}, { aggregate: counter, every: 1000 });
    }
    const events = await store.readStream(db.pool, id);
    expect(events).toHaveLength(5000);
    expect(events.every((e, i) => e.version === i + 1)).toBe(true);
    expect(await snapshotVersions(id)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect((await store.rebuild(db.pool, id, { upTo: 4321 })).state.total).toBe((4320 * 4321) / 2);
  });
});
