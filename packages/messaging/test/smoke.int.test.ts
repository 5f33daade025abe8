import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { eventually, testEnvironment } from '@orderflow/testkit';
import { ensureTopics } from '../src/admin.js';

/**
 * Smoke test of the real path the platform depends on: the registry's Confluent API, kafkajs
 * produce/consume in a group, admin topic creation, and transactions with read_committed
 * (which proves kafkajs speaks the chosen Kafka version's protocol).
 */
const env = testEnvironment();
const kafka = new Kafka({
  clientId: 'smoke',
  brokers: env.kafkaBrokers.split(','),
  logLevel: logLevel.WARN,
});
const registry = new SchemaRegistry({ host: env.schemaRegistryUrl });
const run = randomUUID().slice(0, 8);

const schema = {
  type: 'record',
  name: 'SmokeEvent',
  namespace: 'orderflow.smoke',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amountMinor', type: 'long' },
  ],
};

const clients: { disconnect(): Promise<void> }[] = [];

async function producer(options: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const p = kafka.producer(options);
  await p.connect();
  clients.push(p);
  return p;
}

async function collect(topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({ groupId, readUncommitted: false });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(JSON.stringify(await registry.decode(message.value ?? Buffer.alloc(0))));
    },
  });
  await eventually(`${count} records on ${topic}`, () => {
    if (seen.length < count) throw new Error(`only ${seen.length} so far`);
  });
  return seen;
}

describe('smoke: Kafka + schema registry', () => {
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await admin.disconnect();
  });

  it('registers a schema and round-trips an Avro record through a consumer group', async () => {
    const topic = `smoke.avro.${run}`;
    const created = await ensureTopics(env.kafkaBrokers.split(','), [
      { name: topic, partitions: 3, retentionMs: 3_600_000 },
    ]);
    expect(created.created).toEqual([topic]);
    expect(await admin.listTopics()).toContain(topic);

    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-orderflow.smoke.SmokeEvent` },
    );
    const again = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema, null, 2) },
      { subject: `${topic}-orderflow.smoke.SmokeEvent` },
    );
    expect(again.id).toBe(id);

    const value = await registry.encode(id, { orderId: `o-${run}`, amountMinor: 4200 });
    expect(value.readUInt8(0)).toBe(0);
    expect(value.readInt32BE(1)).toBe(id);

    const p = await producer();
    await p.send({ topic, acks: -1, messages: [{ key: `o-${run}`, value }] });

    const seen = await collect(topic, `smoke-avro-${run}`, 1);
    expect(seen).toEqual([JSON.stringify({ orderId: `o-${run}`, amountMinor: 4200 })]);
  });

  it('delivers committed transactions and hides aborted ones from read_committed consumers', async () => {
    const topic = `smoke.tx.${run}`;
    await ensureTopics(env.kafkaBrokers.split(','), [
      { name: topic, partitions: 1, retentionMs: 3_600_000 },
    ]);
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-orderflow.smoke.SmokeEvent` },
    );
    const p = await producer({
      transactionalId: `smoke-${run}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });

    const aborted = await p.transaction();
    await aborted.send({
      topic,
      messages: [
        { key: 'a', value: await registry.encode(id, { orderId: 'aborted', amountMinor: 1 }) },
      ],
    });
    await aborted.abort();

    const committed = await p.transaction();
    await committed.send({
      topic,
      messages: [
        { key: 'c', value: await registry.encode(id, { orderId: 'committed', amountMinor: 2 }) },
      ],
    });
    await committed.commit();

    const seen = await collect(topic, `smoke-tx-${run}`, 1);
    expect(seen).toEqual([JSON.stringify({ orderId: 'committed', amountMinor: 2 })]);
  });
});
