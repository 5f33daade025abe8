import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVENT_STORE_MIGRATIONS, EventStore } from '@orderflow/event-store';
import { createTestDatabase, testEnvironment, type TestDatabase } from '@orderflow/testkit';
import {
  decide,
  evolve,
  initialOrderState,
  orderAggregate,
  orderStreamId,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
} from '../../src/domain/index.js';
import { complete, eventsOf, NOW, placeOrder } from './fixtures.js';

let db: TestDatabase;
const store = new EventStore({ aggregate: orderAggregate, snapshotEvery: 10 });

beforeAll(async () => {
  db = await createTestDatabase(testEnvironment().databaseUrl, [EVENT_STORE_MIGRATIONS]);
});
afterAll(async () => {
  await db.drop();
});

/** The command handler's loop, minus HTTP/Kafka: rebuild, decide, append in one transaction. */
async function handle(
  streamId: string,
  command: OrderCommand,
  now: Date,
): Promise<readonly OrderEvent[]> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const { state, version } = await store.rebuild(client, streamId);
    const events = eventsOf(decide(state, command, now));
    await store.append(client, streamId, version, events, { command: command.type });
    await client.query('COMMIT');
    return events;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const fold = (events: readonly OrderEvent[]): OrderState =>
  events.reduce(evolve, initialOrderState());

describe('the Order aggregate in the event store', () => {
  it('rebuilds the same state from a snapshot as from the first event, and as of every version', async () => {
    const streamId = orderStreamId(randomUUID());
    const steps = [
      'RESERVE_INVENTORY',
      'PROCESS_PAYMENT',
      'COMMIT_INVENTORY',
      'SCHEDULE_SHIPMENT',
    ] as const;
    const commands: OrderCommand[] = [placeOrder({ orderId: streamId })];
    // 23 step log entries (retries and compensations make long logs), then the outcome: 25 events.
    for (let i = 0; i < 23; i++) {
      commands.push({
        type: 'RecordStep',
        step: steps[i % steps.length] ?? 'RESERVE_INVENTORY',
        status: i % 2 === 0 ? 'STARTED' : 'SUCCEEDED',
        at: new Date(NOW.getTime() + i * 1000).toISOString(),
        detail: i % 5 === 0 ? `attempt ${i}` : null,
      });
    }
    commands.push(complete);
    const appended: OrderEvent[] = [];
    for (const command of commands) appended.push(...(await handle(streamId, command, NOW)));
    expect(appended).toHaveLength(25);

    const { rows } = await db.pool.query<{ version: number }>(
      'SELECT version FROM snapshots WHERE stream_id = $1 ORDER BY version',
      [streamId],
    );
    expect(rows.map((row) => row.version)).toEqual([10, 20]);

    const fromSnapshot = await store.rebuild(db.pool, streamId);
    expect(fromSnapshot).toEqual(await store.rebuildFromEvents(db.pool, streamId));
    expect(fromSnapshot.state).toMatchObject({
      status: 'COMPLETED',
      totalMinor: 1250,
      version: 25,
    });
    expect(fromSnapshot.state.status !== 'NONE' && fromSnapshot.state.steps).toHaveLength(23);

    for (let v = 0; v <= 25; v++) {
      const asOf = await store.rebuild(db.pool, streamId, { upTo: v });
      expect(asOf).toEqual({ state: fold(appended.slice(0, v)), version: v });
      expect(asOf.state.version).toBe(v);
    }
  });

  it('a duplicate outcome appends nothing', async () => {
    const streamId = orderStreamId(randomUUID());
    await handle(streamId, placeOrder({ orderId: streamId }), NOW);
    await handle(streamId, complete, NOW);
    expect(await handle(streamId, complete, NOW)).toEqual([]);
    expect(await store.readStream(db.pool, streamId)).toHaveLength(2);
  });
});
