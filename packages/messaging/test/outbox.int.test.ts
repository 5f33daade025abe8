import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { brokerOutage, eventually } from '@orderflow/testkit';
import type { MessagingError } from '../src/index.js';
import { CE, outboxBacklog } from '../src/index.js';
import {
  collectRecords,
  createTopicsFor,
  harness,
  orderPlacedPayload,
  header,
  testContract,
  uniqueName,
  waitForCount,
  type Harness,
} from './support.js';

const topic = uniqueName('test.orders.events');
const orderPlaced = testContract('orders.OrderPlaced', undefined, topic, ['order-service']);

function order(orderId: string) {
  return { ...orderPlacedPayload(orderId), channel: 'WEB' };
}

/** One transaction that publishes one order's OrderPlaced through the outbox, committed. */
async function commitOne(h: Harness, contract: typeof orderPlaced, key: string): Promise<void> {
  const client = await h.db.pool.connect();
  try {
    await client.query('BEGIN');
    await h.messaging.publisher.publish(client, { contract, key, payload: order(key) });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

describe('outbox: publish in the caller transaction, relay to Kafka', () => {
  let h: Harness;

  beforeAll(async () => {
    await createTopicsFor(topic);
    h = await harness('order-service');
    await h.messaging.start();
  });

  afterAll(async () => {
    await h.close();
  });

  it('emits nothing for a rolled-back transaction and exactly one record for a committed one', async () => {
    const { records, stop } = await collectRecords(topic);
    const client = await h.db.pool.connect();
    try {
      await client.query('BEGIN');
      await h.messaging.publisher.publish(client, {
        contract: orderPlaced,
        key: 'o-rolled-back',
        payload: order('o-rolled-back'),
      });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const envelope = await h.messaging.publisher.publish(client, {
        contract: orderPlaced,
        key: 'o-committed',
        payload: order('o-committed'),
      });
      await client.query('COMMIT');

      await waitForCount('the committed record', records, 1);
      await h.messaging.relay.flush();
      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record?.key?.toString()).toBe('o-committed');
      expect(header(record!, CE.id)).toBe(envelope.id);
      expect(header(record!, CE.type)).toBe('orders.OrderPlaced');
      expect(header(record!, CE.source)).toBe('/services/order-service');
      expect(header(record!, CE.subject)).toBe('o-committed');
      expect(header(record!, 'content-type')).toBe('application/avro');
      expect(header(record!, CE.dataschema)).toMatch(/\/schemas\/ids\/\d+$/);
    } finally {
      client.release();
      await stop();
    }
  });

  it('rejects an invalid payload with the field path, and a type the service does not own', async () => {
    const client = await h.db.pool.connect();
    try {
      const bad = { ...order('o-bad'), lines: [{ sku: 'SKU-1', quantity: 'two' }] };
      await expect(
        h.messaging.publisher.publish(client, {
          contract: orderPlaced,
          key: 'o-bad',
          payload: bad,
        }),
      ).rejects.toThrow(/lines\.0\.quantity/);
      const notOurs = testContract('inventory.InventoryReserved', undefined, topic, [
        'inventory-service',
      ]);
      await expect(
        h.messaging.publisher.publish(client, { contract: notOurs, key: 'o-x', payload: {} }),
      ).rejects.toMatchObject({
        code: 'NOT_OWNER',
      } satisfies Partial<MessagingError>);
      expect(
        (
          await client.query(
            'SELECT count(*)::int AS n FROM outbox WHERE message_key IN ($1, $2)',
            ['o-bad', 'o-x'],
          )
        ).rows[0],
      ).toEqual({ n: 0 });
    } finally {
      client.release();
    }
  });

  it('keeps records published while the broker is down and delivers them once it is back', async () => {
    const { records, stop } = await collectRecords(topic);
    const before = records.length;
    await eventually('collector caught up', async () => {
      await h.messaging.relay.flush();
      if ((await outboxBacklog(h.db.pool)).count !== 0) throw new Error('backlog');
    });
    const keys = Array.from({ length: 20 }, (_, i) => `o-outage-${i}`);
    await brokerOutage(async () => {
      for (const key of keys) await commitOne(h, orderPlaced, key);
      expect((await outboxBacklog(h.db.pool)).count).toBe(keys.length);
    });
    await waitForCount(
      'records published during the outage',
      records,
      before + keys.length,
      90_000,
    );
    const delivered = records.map((r) => r.key?.toString());
    expect(keys.every((k) => delivered.includes(k))).toBe(true);
    await eventually('outbox drained', async () => {
      if ((await outboxBacklog(h.db.pool)).count !== 0) throw new Error('backlog not empty');
    });
    await stop();
  }, 180_000);
});

describe('outbox relay: woken by NOTIFY, not by its poll', () => {
  const notifyTopic = uniqueName('test.orders.events');
  const placed = testContract('orders.OrderPlaced', undefined, notifyTopic, ['order-service']);
  let h: Harness;

  beforeAll(async () => {
    await createTopicsFor(notifyTopic);
    // A poll too slow to matter: whatever arrives within the test's time came from a NOTIFY.
    h = await harness('order-service', { relay: { pollIntervalMs: 120_000 } });
    await h.messaging.start();
  });

  afterAll(async () => {
    await h.close();
  });

  it('publishes rows committed while it is sending a batch, with no poll to fall back on', async () => {
    const { records, stop } = await collectRecords(notifyTopic);
    // Waves of concurrent commits: many land while the relay is busy with the batch before.
    const keys: string[] = [];
    for (let wave = 0; wave < 10; wave += 1) {
      const batch = Array.from({ length: 6 }, (_, i) => `o-notify-${wave}-${i}`);
      keys.push(...batch);
      await Promise.all(batch.map((key) => commitOne(h, placed, key)));
    }
    await waitForCount('rows woken by NOTIFY', records, keys.length, 20_000);
    expect(new Set(records.map((r) => r.key?.toString()))).toEqual(new Set(keys));
    expect((await outboxBacklog(h.db.pool)).count).toBe(0);
    await stop();
  }, 60_000);
});
