import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  collectRecords,
  createTopicsFor,
  harness,
  testContract,
  uniqueName,
  waitForCount,
  type Harness,
} from './support.js';

const topic = uniqueName('test.orders.events');
const orderCompleted = testContract('orders.OrderCompleted', undefined, topic, ['order-service']);

describe('storm guard on the real publish path', () => {
  let h: Harness;

  beforeAll(async () => {
    await createTopicsFor(topic);
    h = await harness('order-service', { stormGuard: { ratePerSecond: 40, burst: 10 } });
    await h.messaging.start();
  });

  afterAll(async () => {
    await h.close();
  });

  it('throttles a burst above the rate limit and still delivers every message', async () => {
    const { records, stop } = await collectRecords(topic);
    const keys = Array.from({ length: 50 }, (_, i) => `o-burst-${i}`);
    await Promise.all(
      keys.map(async (key) => {
        const client = await h.db.pool.connect();
        try {
          await client.query('BEGIN');
          await h.messaging.publisher.publish(client, {
            contract: orderCompleted,
            key,
            payload: {
              orderId: key,
              amountMinor: 1000,
              currency: 'EUR',
              trackingNumber: `T-${key}`,
            },
          });
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    // 10 pass on the burst allowance; the other 40 each wait for a token.
    expect(h.messaging.stormGuard.throttled).toBeGreaterThanOrEqual(40);
    await waitForCount('every burst message', records, keys.length);
    expect(new Set(records.map((r) => r.key?.toString()))).toEqual(new Set(keys));
    await stop();
  });
});
