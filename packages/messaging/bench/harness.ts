import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadSchema, messageSpec, type ReserveInventory } from '@orderflow/contracts';
import { testEnvironment } from '@orderflow/testkit';
import {
  AvroSerde,
  createKafka,
  Publisher,
  silentLogger,
  StormGuard,
  type MessageContract,
} from '../src/index.js';
import { ensureTopics } from '../src/admin.js';

/** What every scenario shares: where the stack is, the message shape, topics and a counting consumer. */

// The launcher's local defaults, so the script runs against `./dev stack up` with no set-up;
// the same variables the integration tests read override them.
export const env = testEnvironment({
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  ...process.env,
});
export const brokers = env.kafkaBrokers.split(',');
export const MIGRATIONS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../migrations',
);
export const PARTITIONS = 6;
/** Records per producer.send in the Kafka-only scenarios: both sides batch the same way. */
export const SEND_BATCH = 500;

export const MESSAGE_TYPE = 'saga.ReserveInventory' as const;
export const SERVICE = messageSpec(MESSAGE_TYPE).emitters[0] ?? 'order-saga';

// One client config for every scenario, so no side wins on client settings.
export const kafka: Kafka = createKafka({
  brokers,
  clientId: 'messaging-bench',
  logger: silentLogger,
});

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A contract on a bench-private topic and subject (TopicRecordNameStrategy), like the integration
 * tests: the bench never registers anything under the catalogue's real subjects.
 */
export function benchContract(topic: string): MessageContract {
  const schema = loadSchema(MESSAGE_TYPE);
  return {
    type: MESSAGE_TYPE,
    topic,
    subject: `${topic}-${schema.namespace ?? ''}.${schema.name}`,
    emitters: [SERVICE],
    schema,
  };
}

export const LINES_PER_ORDER = 3;

/**
 * Realistic ReserveInventory commands (a UUID order id, three lines), built before any timing
 * starts: producing the application's data is not the messaging path's cost. Every one encodes
 * to the same size, so the raw baselines can reuse one pre-encoded value of exactly that size.
 */
export function orders(count: number): ReserveInventory[] {
  return Array.from({ length: count }, (_, i) => ({
    orderId: randomUUID(),
    lines: Array.from({ length: LINES_PER_ORDER }, (_, l) => ({
      sku: `SKU-${String((i * 7 + l) % 10_000).padStart(5, '0')}`,
      quantity: 1 + ((i + l) % 5),
    })),
  }));
}

/** The producer side exactly as a service runs it, minus the outbox write (no throttling here). */
export function benchPublisher(serde: AvroSerde): Publisher {
  return new Publisher({
    service: SERVICE,
    serde,
    stormGuard: new StormGuard({ ratePerSecond: 1e9, burst: 1e9, maxDepth: 16 }),
  });
}

/**
 * One record's worth of CloudEvents headers for the baselines: built once and reused, so they
 * carry the envelope's size and shape without any per-record work.
 */
export async function sampleHeaders(
  topic: string,
  order: ReserveInventory,
): Promise<Record<string, string>> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  const prepared = await benchPublisher(serde).prepare({
    contract: benchContract(topic),
    key: order.orderId,
    payload: order,
  });
  return prepared.headers;
}

const created: string[] = [];

export async function freshTopic(prefix: string): Promise<string> {
  const topic = uniqueName(`bench.${prefix}`);
  await ensureTopics(brokers, [{ name: topic, partitions: PARTITIONS, retentionMs: 3_600_000 }]);
  created.push(topic);
  return topic;
}

/** Deletes the topics this run created, so repeated runs do not pile up on the local broker. */
export async function deleteBenchTopics(): Promise<void> {
  if (created.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: created, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * A consumer group of its own on `topic` that counts records; `reach(n)` resolves once n have
 * arrived (or rejects after a timeout, naming how many did). `onBatch` is the per-scenario
 * consume-side work, run before a batch counts as consumed.
 */
export interface CountingConsumer {
  reach(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function countingConsumer(
  topic: string,
  onBatch: (messages: KafkaMessage[]) => Promise<void> = () => Promise.resolve(),
): Promise<CountingConsumer> {
  const consumer = kafka.consumer({ groupId: uniqueName('bench') });
  let consumed = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await onBatch(batch.messages);
      consumed += batch.messages.length;
      for (const waiter of waiters.filter((w) => consumed >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  // Timing must not include the group's first rebalance.
  await withTimeout(joined, 30_000, `consumer group join on ${topic}`);
  return {
    reach(count, timeoutMs = 300_000) {
      if (consumed >= count) return Promise.resolve();
      const arrived = new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return withTimeout(
        arrived,
        timeoutMs,
        () => `${count} records on ${topic} (got ${consumed})`,
      );
    },
    stop: () => consumer.disconnect(),
  };
}

export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const described = typeof what === 'string' ? what : what();
      reject(new Error(`timed out after ${ms} ms waiting for ${described}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
