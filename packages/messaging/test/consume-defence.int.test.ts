import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { dlqTopic, retryTopic } from '@orderflow/contracts';
import { eventually } from '@orderflow/testkit';
import { metricsRegistry } from '@orderflow/telemetry';
import { ensureTopics } from '../src/admin.js';
import { readDlq, replayDlq } from '../src/dlq.js';
import { CE, NonRetryableError, X, type Outcome } from '../src/index.js';
import { AvroSerde } from '../src/serde.js';
import {
  collectGarbage,
  heapUsed,
  HOSTILE_RESERVE_BODIES,
  type HostileCase,
} from './hostile-avro.js';
import { reserveRecord } from './runtime-support.js';
import {
  brokers,
  collectRecords,
  env,
  harness,
  header,
  rawKafka,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * The consume path against hostile producers, on the real broker, registry and Postgres: forged
 * retry headers, Avro values that lie about their size, a forged ce_source, random ce_types.
 */
const topic = uniqueName('test.defence.commands');
const group = uniqueName('shipping-service');
const contract = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
const PARTITIONS = 6;
const TIER_DELAY_MS = 2_000;
/** "Promptly": a record behind forged headers is handled within this of being produced. */
const PROMPT_MS = 5_000;
/**
 * A resumed partition joins kafkajs's next fetch, which can wait for the fetch in flight to end
 * (its maxWaitTimeInMs, 5 s): the time a tier record is handled after its pause ends.
 */
const FETCH_WAIT_MS = 5_000;
const TEN_MINUTES_MS = 10 * 60_000;

const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
/** When each order's record was handled (its handler's transaction ran). */
const handledAt = new Map<string, number>();
const outcomes: Outcome[] = [];
let h: Harness;
let dlq: { records: KafkaMessage[]; stop: () => Promise<void> };

async function record(orderId: string, extra: Record<string, string> = {}) {
  const r = await reserveRecord(serde, contract, { orderId });
  return { ...r, headers: { ...r.headers, ...extra } };
}

async function send(
  to: string,
  ...messages: { key: string; value: Buffer; headers: Record<string, string>; partition?: number }[]
) {
  await producer.send({ topic: to, acks: -1, messages });
}

async function handledWithin(orderIds: readonly string[], since: number, ms: number) {
  await eventually(
    `${orderIds.length} record(s) handled within ${ms} ms of being produced`,
    () => {
      const missing = orderIds.filter((id) => !handledAt.has(id));
      if (missing.length > 0) throw new Error(`not handled yet: ${missing.join(', ')}`);
    },
    { timeoutMs: ms - (Date.now() - since), intervalMs: 50 },
  );
}

function dead(key: string): KafkaMessage[] {
  return dlq.records.filter((r) => r.key?.toString() === key);
}

async function inDlq(key: string, count: number): Promise<KafkaMessage[]> {
  return eventually(`${count} DLQ record(s) of ${key}`, () => {
    const found = dead(key);
    if (found.length < count) throw new Error(`${found.length} so far`);
    return found;
  });
}

beforeAll(async () => {
  await ensureTopics(brokers, [
    ...[topic, retryTopic(topic, group, 1), retryTopic(topic, group, 2)].map((name) => ({
      name,
      partitions: PARTITIONS,
      retentionMs: 3_600_000,
    })),
    { name: dlqTopic(topic, group), partitions: 1, retentionMs: 3_600_000 },
  ]);
  await producer.connect();
  h = await harness('shipping-service');
  h.messaging.consumer({
    group,
    backoff: { attempts: 1, baseMs: 10, maxMs: 10 },
    retryDelaysMs: [TIER_DELAY_MS, TIER_DELAY_MS],
    observer: { onRecord: (e) => outcomes.push(e.outcome) },
    subscriptions: [
      {
        contract,
        handle: async (payload) => {
          const { orderId } = payload as { orderId: string };
          if (orderId.startsWith('reject-')) throw new NonRetryableError('refused');
          handledAt.set(orderId, Date.now());
          return Promise.resolve();
        },
      },
    ],
  });
  await h.messaging.start();
  dlq = await collectRecords(dlqTopic(topic, group));
  // Joined and fetching every partition before any clock below starts.
  const warm = Array.from({ length: PARTITIONS }, (_, p) => `warm-${p}`);
  await send(
    topic,
    ...(await Promise.all(warm.map((id, p) => record(id).then((r) => ({ ...r, partition: p }))))),
  );
  await handledWithin(warm, Date.now(), 60_000);
});

afterAll(async () => {
  await dlq.stop();
  await producer.disconnect();
  await h.close();
});

describe('forged retry headers', () => {
  it('on a main topic stall nothing: six far-future not-befores, one per partition, and the records behind them are handled promptly', async () => {
    const forgedIds = Array.from({ length: PARTITIONS }, (_, p) => `forged-retry-${p}`);
    const behindIds = Array.from({ length: PARTITIONS }, (_, p) => `behind-forged-${p}`);
    const forged = await Promise.all(
      forgedIds.map(async (id, p) => ({
        ...(await record(id, {
          [X.originTopic]: topic,
          [X.originPartition]: String(p),
          [X.originOffset]: '0',
          [X.retryTier]: '1',
          [X.notBefore]: String(Date.now() + TEN_MINUTES_MS),
        })),
        partition: p,
      })),
    );
    const behind = await Promise.all(
      behindIds.map(async (id, p) => ({ ...(await record(id)), partition: p })),
    );
    const sentAt = Date.now();
    await send(topic, ...forged);
    await send(topic, ...behind);
    // The forged records are handled as first deliveries, and nothing waits behind them.
    await handledWithin([...forgedIds, ...behindIds], sentAt, PROMPT_MS);
  });

  it('on a main topic cannot redirect a failing record: it is dead-lettered from where it really came', async () => {
    await send(
      topic,
      await record('reject-forged-origin', {
        [X.originTopic]: 'payments.commands',
        [X.attempts]: '99',
        [X.notBefore]: String(Number.MAX_SAFE_INTEGER),
      }),
    );
    const [deadRecord] = await inDlq('reject-forged-origin', 1);
    expect(header(deadRecord!, X.originTopic)).toBe(topic);
    expect(header(deadRecord!, X.attempts)).toBe('1');
    expect(header(deadRecord!, X.errorCode)).toBe('HANDLER_REJECTED');
  });

  it('on the group’s own retry topic waits at most the tier’s delay, and holds only that partition', async () => {
    const sentAt = Date.now();
    await send(retryTopic(topic, group, 1), {
      ...(await record('forged-tier-1', {
        [X.originTopic]: topic,
        [X.notBefore]: String(Date.now() + TEN_MINUTES_MS),
      })),
      partition: 0,
    });
    await send(topic, { ...(await record('beside-forged-tier')), partition: 0 });
    await handledWithin(['beside-forged-tier'], sentAt, PROMPT_MS);
    await handledWithin(['forged-tier-1'], sentAt, TIER_DELAY_MS + FETCH_WAIT_MS + PROMPT_MS);
    expect(handledAt.get('forged-tier-1')! - sentAt).toBeGreaterThanOrEqual(TIER_DELAY_MS);
  });
});

describe('Avro values that claim more than they hold', () => {
  it('are dead-lettered as AVRO_BOUNDS in bounded memory, and the next good record is handled', async () => {
    const key = 'hostile-avro';
    const schemaId = await serde.schemaId(contract);
    const good = await record(key);
    const hostile = (Object.keys(HOSTILE_RESERVE_BODIES) as HostileCase[]).map((name) => {
      const value = Buffer.alloc(5);
      value.writeInt32BE(schemaId, 1);
      return {
        key,
        value: Buffer.concat([value, HOSTILE_RESERVE_BODIES[name]]),
        headers: { ...good.headers, [CE.id]: randomUUID() },
      };
    });
    collectGarbage();
    const before = heapUsed();
    await send(topic, ...hostile, good);
    const found = await inDlq(key, hostile.length);
    await handledWithin([key], Date.now(), PROMPT_MS);
    collectGarbage();
    const growth = heapUsed() - before;
    expect(found.map((r) => header(r, X.errorCode))).toEqual(hostile.map(() => 'AVRO_BOUNDS'));
    expect(found.map((r) => r.value)).toEqual(hostile.map((r) => r.value));
    expect(growth).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('forged ce_source', () => {
  it('dead-letters an allowed type from a service that may not emit it as FORBIDDEN_SOURCE, and its handler never runs; a replay keeps the source', async () => {
    const forged = await record('forged-source', { [CE.source]: '/services/payment-service' });
    await send(topic, forged, await record('after-forged-source'));
    const [deadRecord] = await inDlq('forged-source', 1);
    expect(header(deadRecord!, X.errorCode)).toBe('FORBIDDEN_SOURCE');
    expect(header(deadRecord!, X.errorMessage)).toContain('only /services/order-saga may emit it');
    expect(header(deadRecord!, CE.source)).toBe('/services/payment-service');
    await handledWithin(['after-forged-source'], Date.now(), PROMPT_MS);
    expect(handledAt.has('forged-source')).toBe(false);
    const { rows } = await h.db.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [
      forged.headers[CE.id],
    ]);
    expect(rows).toHaveLength(0);

    // Replayed, it is the same record with the same source: refused again, never handled.
    const kafka = rawKafka;
    const [stored] = await readDlq(kafka, dlqTopic(topic, group), { key: 'forged-source' });
    expect(await replayDlq(kafka, [stored!], { ratePerSecond: 10 })).toBe(1);
    const again = await inDlq('forged-source', 2);
    expect(again.map((r) => header(r, CE.source))).toEqual([
      '/services/payment-service',
      '/services/payment-service',
    ]);
    expect(header(again[1]!, X.errorCode)).toBe('FORBIDDEN_SOURCE');
    expect(handledAt.has('forged-source')).toBe(false);
  });
});

describe('metric labels', () => {
  const MESSAGING_METRICS = new Set([
    'orderflow_messages_consumed_total',
    'orderflow_handler_duration_seconds',
    'orderflow_messages_retried_total',
    'orderflow_messages_dead_lettered_total',
  ]);

  async function labelSets(): Promise<number> {
    const metrics = await metricsRegistry().getMetricsAsJSON();
    const sets = new Set<string>();
    for (const metric of metrics.filter((m) => MESSAGING_METRICS.has(m.name))) {
      for (const value of metric.values) {
        // A histogram's buckets are one label set, not one each.
        const labels: Record<string, unknown> = { ...value.labels };
        delete labels.le;
        sets.add(`${metric.name}${JSON.stringify(labels)}`);
      }
    }
    return sets.size;
  }

  async function randomTypes(count: number) {
    const base = await record('random-type');
    const ignoredBefore = outcomes.filter((o) => o === 'ignored').length;
    const messages = Array.from({ length: count }, () => ({
      key: randomUUID(),
      value: base.value,
      headers: {
        ...base.headers,
        [CE.id]: randomUUID(),
        [CE.type]: `random.${randomUUID()}`,
        [X.originTopic]: `random-topic-${randomUUID()}`,
      },
    }));
    for (let i = 0; i < messages.length; i += 250) await send(topic, ...messages.slice(i, i + 250));
    await eventually(`${count} random types consumed`, () => {
      const ignored = outcomes.filter((o) => o === 'ignored').length - ignoredBefore;
      if (ignored < count) throw new Error(`${ignored} of ${count}`);
    });
  }

  it('1,000 random ce_type values (and origin topics) do not grow the registry', async () => {
    await randomTypes(1); // the one `unknown` series of an ignored record
    const before = await labelSets();
    await randomTypes(1_000);
    expect(await labelSets()).toBe(before);
  });
});
