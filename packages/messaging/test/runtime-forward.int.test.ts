import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopic } from '@orderflow/contracts';
import { eventually } from '@orderflow/testkit';
import { ensureTopics } from '../src/admin.js';
import type { Subscription } from '../src/consumer.js';
import { NonRetryableError } from '../src/errors.js';
import { X } from '../src/retry-headers.js';
import { AvroSerde } from '../src/serde.js';
import { committedOffsets, reserveRecord, type ReservePayload } from './runtime-support.js';
import {
  brokers,
  collectRecords,
  createTopicsFor,
  env,
  harness,
  header,
  rawKafka,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * A record whose way out fails (its DLQ cannot be written: here the topic is missing, in
 * production a broker outage longer than the producer's retries) is not finished: its offset is
 * not committed past, and the consumer tries the forward again until it goes through.
 */
const topic = uniqueName('test.runtime.forward');
const group = uniqueName('inventory-service');
const contract = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
const admin = rawKafka.admin();
const harnesses: Harness[] = [];

const subscription: Subscription = {
  contract,
  handle: async (payload, ctx) => {
    const { orderId } = payload as ReservePayload;
    if (orderId.startsWith('bad-')) throw new NonRetryableError('cannot be processed');
    await ctx.tx.query('INSERT INTO effects (order_id) VALUES ($1)', [orderId]);
  },
};

async function member(): Promise<{ h: Harness; backlog: () => number }> {
  const h = await harness('inventory-service');
  harnesses.push(h);
  await h.db.pool.query('CREATE TABLE effects (order_id text NOT NULL)');
  // No retry tiers: a record that fails goes straight to the DLQ.
  const consumer = h.messaging.consumer({
    group,
    retryDelaysMs: [],
    commitIntervalMs: 100,
    subscriptions: [subscription],
  });
  await h.messaging.start();
  return { h, backlog: () => consumer.backlog };
}

async function produce(orderId: string, partition: number): Promise<number> {
  const record = await reserveRecord(serde, contract, { orderId });
  const [meta] = await producer.send({ topic, acks: -1, messages: [{ ...record, partition }] });
  return Number(meta?.baseOffset);
}

async function effects(h: Harness, orderId: string): Promise<number> {
  const { rowCount } = await h.db.pool.query('SELECT 1 FROM effects WHERE order_id = $1', [
    orderId,
  ]);
  return rowCount ?? 0;
}

beforeAll(async () => {
  await createTopicsFor(topic); // and no DLQ topic yet
  await Promise.all([producer.connect(), admin.connect()]);
});

afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  for (const h of harnesses) await h.close();
});

describe('consumer runtime: a record that cannot be forwarded', () => {
  it('keeps its offset uncommitted and tries again until the DLQ takes it', async () => {
    const first = await member();
    await produce('pre-1', 0);
    await eventually('the record before it handled', async () => {
      if ((await effects(first.h, 'pre-1')) === 0) throw new Error('not yet');
    });
    const badOffset = await produce('bad-1', 0);
    await produce('good-1', 0);
    await eventually('the record behind it handled', async () => {
      if ((await effects(first.h, 'good-1')) === 0) throw new Error('not yet');
    });
    // A commit after that: one covering a record on another partition.
    const probeOffset = await produce('probe-1', 1);
    await eventually('a commit covering the probe', async () => {
      const at = (await committedOffsets(admin, group, topic)).get(1) ?? -1;
      if (at <= probeOffset) throw new Error(`partition 1 at ${at}`);
    });
    // Right up to it (the record before it is committed), and not past it; still being tried.
    expect((await committedOffsets(admin, group, topic)).get(0)).toBe(badOffset);
    expect(first.backlog()).toBe(1);

    // The DLQ is back: the same member's next try dead-letters the record, and the commit moves.
    await ensureTopics(brokers, [
      { name: dlqTopic(topic, group), partitions: 1, retentionMs: 3_600_000 },
    ]);
    const dlq = await collectRecords(dlqTopic(topic, group));
    try {
      const dead = await eventually(
        'the record in the DLQ',
        () => {
          const found = dlq.records.find((r) => r.key?.toString() === 'bad-1');
          if (!found) throw new Error(`DLQ has ${dlq.records.length} records`);
          return found;
        },
        { timeoutMs: 60_000 },
      );
      expect(header(dead, X.originOffset)).toBe(String(badOffset));
      expect(header(dead, X.errorCode)).toBe('HANDLER_REJECTED');
      await eventually('the commit past the record', async () => {
        const at = (await committedOffsets(admin, group, topic)).get(0);
        if (at === undefined || at <= badOffset + 1) throw new Error(`partition 0 at ${at}`);
      });
      expect(await effects(first.h, 'bad-1')).toBe(0);
      expect(await effects(first.h, 'good-1')).toBe(1);
    } finally {
      await dlq.stop();
    }
  }, 120_000);
});
