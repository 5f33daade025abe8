import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { dlqTopic, loadSchema, RETRY_TIERS, retryTopic } from '@orderflow/contracts';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
} from '@orderflow/testkit';
import { ensureTopics } from '../src/admin.js';
import {
  envelopeHeaders,
  Messaging,
  silentLogger,
  type MessageContract,
  type MessagingOptions,
} from '../src/index.js';

/** Shared set-up for the messaging integration tests: a fresh database and private topics. */
export const env = testEnvironment();
export const brokers = env.kafkaBrokers.split(',');
export const MIGRATIONS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../migrations',
);

export const rawKafka = new Kafka({
  clientId: 'messaging-test',
  brokers,
  logLevel: logLevel.NOTHING,
});

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A contract on a private topic, with a real schema from schemas/ (so the registry sees real data). */
export function testContract(
  type: string,
  version: number | undefined,
  topic: string,
  emitters: readonly string[],
): MessageContract {
  const schema = loadSchema(type, version);
  return {
    type,
    topic,
    subject: `${topic}-${schema.namespace ?? ''}.${schema.name}`,
    emitters,
    schema: schema,
  };
}

export async function createTopicsFor(topic: string, group?: string): Promise<void> {
  const names = [topic];
  if (group)
    names.push(
      ...RETRY_TIERS.map((_, i) => retryTopic(topic, group, i + 1)),
      dlqTopic(topic, group),
    );
  await ensureTopics(
    brokers,
    names.map((name) => ({ name, partitions: 3, retentionMs: 3_600_000 })),
  );
}

export interface Harness {
  readonly db: TestDatabase;
  readonly messaging: Messaging;
  close(): Promise<void>;
}

export async function harness(
  service: string,
  options: Partial<MessagingOptions> = {},
): Promise<Harness> {
  const db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
  const messaging = new Messaging({
    service,
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: db.pool,
    logger: silentLogger,
    autoRegisterSchemas: true,
    relay: { pollIntervalMs: 200 },
    ...options,
  });
  return {
    db,
    messaging,
    async close() {
      await messaging.stop();
      await db.drop();
    },
  };
}

/** Collects every record of a topic from the beginning, in a group of its own. */
export async function collectRecords(
  topic: string,
): Promise<{ records: KafkaMessage[]; stop: () => Promise<void> }> {
  const consumer = rawKafka.consumer({ groupId: uniqueName('collector') });
  const records: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      records.push(message);
      return Promise.resolve();
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

export async function waitForCount<T>(
  what: string,
  list: readonly T[],
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    what,
    () => {
      if (list.length < count) throw new Error(`${list.length} of ${count}`);
    },
    { timeoutMs },
  );
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** CloudEvents headers of a command as the saga sends it (a fresh ce_id unless given). */
export function sagaCommandHeaders(
  type: string,
  orderId: string,
  dataschema: string,
  extra: { id?: string; traceparent?: string } = {},
): Record<string, string> {
  return envelopeHeaders({
    id: extra.id ?? randomUUID(),
    type,
    source: '/services/order-saga',
    time: new Date().toISOString(),
    subject: orderId,
    dataschema,
    correlationId: `corr-${orderId}`,
    causationDepth: 1,
    traceparent: extra.traceparent,
  });
}

/** An OrderPlaced payload valid for v1 (and, with `channel`, for v2). */
export function orderPlacedPayload(orderId: string) {
  return {
    orderId,
    customerId: 'c-1',
    lines: [{ sku: 'SKU-1', quantity: 2 }],
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      line2: null,
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
  };
}
