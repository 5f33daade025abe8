import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { dlqTopic, retryTopic } from '@orderflow/contracts';
import { eventually } from '@orderflow/testkit';
import { startTelemetry } from '@orderflow/telemetry';
import { readDlq, replayDlq } from '../src/dlq.js';
import { AvroSerde, CE, NonRetryableError, X, type Outcome } from '../src/index.js';
import { createKafka } from '../src/kafka.js';
import { silentLogger } from '../src/logger.js';
import {
  collectRecords,
  createTopicsFor,
  env,
  harness,
  header,
  rawKafka,
  sagaCommandHeaders,
  testContract,
  uniqueName,
  waitForCount,
  type Harness,
} from './support.js';

// Real W3C propagation and an async context manager, as a service runs them.
const telemetry = startTelemetry({ service: 'messaging-test', instrumentations: [] });

const commands = uniqueName('test.inventory.commands');
const replies = uniqueName('test.inventory.events');
const group = uniqueName('inventory-service');
const reserve = testContract('saga.ReserveInventory', undefined, commands, ['order-saga']);
const reserved = testContract('inventory.InventoryReserved', undefined, replies, [
  'inventory-service',
]);
const otherType = testContract('saga.ProcessPayment', undefined, commands, ['order-saga']);

const attemptsByOrder = new Map<string, number>();
const outcomes: { type: string; outcome: Outcome }[] = [];
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Builds a ReserveInventory record as the saga would send it. */
async function command(orderId: string, id = uuidv7()) {
  const { value, schemaId } = await serde.encode(reserve, {
    orderId,
    lines: [{ sku: 'SKU-1', quantity: 1 }],
  });
  return {
    key: orderId,
    value,
    headers: sagaCommandHeaders(reserve.type, orderId, serde.schemaUrl(schemaId), {
      id,
      traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
    }),
  };
}

async function send(
  ...messages: { key: string; value: Buffer; headers: Record<string, string> }[]
) {
  await producer.send({ topic: commands, acks: -1, messages });
}

async function effects(orderId: string): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM effects WHERE order_id = $1',
    [orderId],
  );
  return rows[0]?.n ?? 0;
}

async function eventuallyEffects(orderId: string, n: number): Promise<void> {
  await eventually(`${n} effect(s) for ${orderId}`, async () => {
    const count = await effects(orderId);
    if (count !== n) throw new Error(`${count} effects`);
  });
}

let h: Harness;
let dlq: { records: KafkaMessage[]; stop: () => Promise<void> };

beforeAll(async () => {
  await createTopicsFor(commands, group);
  await createTopicsFor(replies);
  await producer.connect();
  h = await harness('inventory-service');
  await h.db.pool.query('CREATE TABLE effects (order_id text NOT NULL, message_id text NOT NULL)');
  h.messaging.consumer({
    group,
    backoff: { attempts: 2, baseMs: 10, maxMs: 50 },
    retryDelaysMs: [300, 300],
    observer: { onRecord: (e) => outcomes.push({ type: e.type, outcome: e.outcome }) },
    subscriptions: [
      {
        contract: reserve,
        handle: async (payload, ctx) => {
          const { orderId } = payload as { orderId: string };
          const attempt = (attemptsByOrder.get(orderId) ?? 0) + 1;
          attemptsByOrder.set(orderId, attempt);
          await ctx.tx.query('INSERT INTO effects (order_id, message_id) VALUES ($1, $2)', [
            orderId,
            ctx.envelope.id,
          ]);
          if (orderId.startsWith('flaky2-') && attempt <= 1)
            throw new Error('transient: try again');
          if (orderId.startsWith('flaky3-') && attempt <= 2)
            throw new Error('transient: try again later');
          if (orderId.startsWith('poison-')) throw new Error('handler always fails');
          if (orderId.startsWith('reject-'))
            throw new NonRetryableError('order violates an invariant');
          if (orderId.startsWith('replay-') && attempt <= 6)
            throw new Error('dependency down for a while');
          await ctx.publish({
            contract: reserved,
            key: orderId,
            payload: {
              orderId,
              lines: [{ sku: 'SKU-1', quantity: 1, unitAmountMinor: 250, lineAmountMinor: 250 }],
              amountMinor: 250,
              currency: 'EUR',
            },
          });
        },
      },
    ],
  });
  await h.messaging.start();
  dlq = await collectRecords(dlqTopic(commands, group));
});

afterAll(async () => {
  await dlq.stop();
  await producer.disconnect();
  await h.close();
  await telemetry.shutdown();
});

describe('consumer: inbox, retries, DLQ', () => {
  it('changes state once when the same record is delivered twice', async () => {
    const record = await command('dup-1');
    await send(record, record);
    await eventuallyEffects('dup-1', 1);
    await eventually('the duplicate seen', () => {
      if (!outcomes.some((o) => o.outcome === 'duplicate')) throw new Error('no duplicate yet');
    });
    expect(await effects('dup-1')).toBe(1);
  });

  it('succeeds on an in-process retry, and on a delayed retry topic', async () => {
    await send(await command('flaky2-1'), await command('flaky3-1'));
    await eventuallyEffects('flaky2-1', 1);
    await eventuallyEffects('flaky3-1', 1);
    expect(attemptsByOrder.get('flaky2-1')).toBe(2);
    expect(attemptsByOrder.get('flaky3-1')).toBe(3);
    const retried = await collectRecords(retryTopic(commands, group, 1));
    await waitForCount('flaky3 in retry tier 1', retried.records, 1);
    await retried.stop();
    expect(retried.records.map((r) => r.key?.toString())).toEqual(['flaky3-1']);
  });

  it('dead-letters a handler that always fails after every attempt, with its origin and reason', async () => {
    await send(await command('poison-1'), await command('reject-1'));
    await eventually('poison and reject in the DLQ', () => {
      const keys = dlq.records.map((r) => r.key?.toString());
      if (!keys.includes('poison-1') || !keys.includes('reject-1'))
        throw new Error(`DLQ has ${keys.join(',')}`);
    });
    const poison = dlq.records.find((r) => r.key?.toString() === 'poison-1')!;
    expect(header(poison, X.originTopic)).toBe(commands);
    expect(Number(header(poison, X.originPartition))).toBeGreaterThanOrEqual(0);
    expect(header(poison, X.originOffset)).toMatch(/^\d+$/);
    expect(header(poison, X.group)).toBe(group);
    expect(header(poison, X.errorCode)).toBe('HANDLER_FAILED');
    expect(header(poison, X.errorClass)).toBe('Error');
    expect(header(poison, X.errorMessage)).toBe('handler always fails');
    expect(header(poison, X.attempts)).toBe('6'); // 2 in process × (first delivery + 2 retry tiers)
    expect(Date.parse(header(poison, X.firstFailure)!)).toBeLessThanOrEqual(
      Date.parse(header(poison, X.lastFailure)!),
    );
    expect(header(poison, CE.type)).toBe('saga.ReserveInventory');
    expect(poison.value).toEqual((await command('poison-1')).value);
    const reject = dlq.records.find((r) => r.key?.toString() === 'reject-1')!;
    expect(header(reject, X.errorCode)).toBe('HANDLER_REJECTED');
    expect(header(reject, X.attempts)).toBe('1');
    expect(await effects('poison-1')).toBe(0);
  });

  it('dead-letters garbage, an unknown schema id and a wrong schema, and processes the good record behind them', async () => {
    const good = await command('after-poison-1');
    const wrong = await serde.encode(otherType, {
      orderId: 'x',
      customerId: 'c',
      amountMinor: 1,
      currency: 'EUR',
    });
    const unknownId = Buffer.from(good.value);
    unknownId.writeInt32BE(987_654, 1);
    const key = 'after-poison-1';
    await send(
      {
        key,
        value: Buffer.from('definitely not avro'),
        headers: { ...good.headers, [CE.id]: uuidv7() },
      },
      { key, value: unknownId, headers: { ...good.headers, [CE.id]: uuidv7() } },
      { key, value: wrong.value, headers: { ...good.headers, [CE.id]: uuidv7() } },
      good,
    );
    await eventuallyEffects('after-poison-1', 1);
    await eventually('three bad records in the DLQ', () => {
      const codes = dlq.records
        .filter((r) => r.key?.toString() === key)
        .map((r) => header(r, X.errorCode));
      if (codes.length < 3) throw new Error(`only ${codes.join(',')}`);
    });
    const codes = dlq.records
      .filter((r) => r.key?.toString() === key)
      .map((r) => header(r, X.errorCode));
    expect(codes.sort()).toEqual(['NOT_AVRO', 'UNKNOWN_SCHEMA_ID', 'WRONG_SCHEMA']);
  });

  it('carries correlation, causation and the trace from the consumed record to what the handler publishes', async () => {
    const incoming = await command('ok-trace-1');
    const out = await collectRecords(replies);
    await send(incoming);
    await eventually('the reply', () => {
      if (!out.records.some((r) => r.key?.toString() === 'ok-trace-1'))
        throw new Error('no reply yet');
    });
    await out.stop();
    const reply = out.records.find((r) => r.key?.toString() === 'ok-trace-1')!;
    expect(header(reply, CE.correlationId)).toBe('corr-ok-trace-1');
    expect(header(reply, CE.causationId)).toBe(incoming.headers[CE.id]);
    expect(header(reply, CE.causationDepth)).toBe('2');
    expect(header(reply, CE.type)).toBe('inventory.InventoryReserved');
    expect(header(reply, 'traceparent')?.split('-')[1]).toBe(TRACE_ID);
  });

  it('replays a DLQ record to its origin topic, where it is then processed exactly once', async () => {
    await send(await command('replay-1'));
    await eventually('replay-1 dead-lettered', () => {
      if (!dlq.records.some((r) => r.key?.toString() === 'replay-1')) throw new Error('not yet');
    });
    const kafka = createKafka({
      brokers: env.kafkaBrokers.split(','),
      clientId: 'dlq-tool',
      logger: silentLogger,
    });
    const [record] = await readDlq(kafka, dlqTopic(commands, group), { key: 'replay-1' });
    expect(record?.errorMessage).toBe('dependency down for a while');
    // The dependency is back: the 7th attempt succeeds. Replaying twice must still apply once.
    const replayedTo: string[] = [];
    const onReplayed = ({ record: r }: { record: { originTopic: string } }) => {
      replayedTo.push(r.originTopic);
    };
    expect(await replayDlq(kafka, [record!], { ratePerSecond: 10, onReplayed })).toBe(1);
    expect(await replayDlq(kafka, [record!], { ratePerSecond: 10, onReplayed })).toBe(1);
    expect(replayedTo).toEqual([commands, commands]);
    await eventuallyEffects('replay-1', 1);
    await eventually('both replays consumed', () => {
      if ((attemptsByOrder.get('replay-1') ?? 0) < 7) throw new Error('not replayed yet');
    });
    await eventually('the second replay deduplicated', () => {
      const dups = outcomes.filter((o) => o.outcome === 'duplicate').length;
      if (dups < 2) throw new Error(`${dups} duplicates`);
    });
    expect(await effects('replay-1')).toBe(1);
  });
});
