import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { ReserveInventory } from '@orderflow/contracts';
import { createTestDatabase } from '@orderflow/testkit';
import {
  AvroSerde,
  Messaging,
  parseEnvelope,
  silentLogger,
  stringHeaders,
  withTransaction,
} from '../src/index.js';
import {
  benchContract,
  benchPublisher,
  brokers,
  env,
  freshTopic,
  kafka,
  MIGRATIONS,
  progress,
  SEND_BATCH,
  uniqueName,
} from './harness.js';
import { measure, type Measurement, type Sizes } from './measure.js';

/**
 * Scenario 4: the consumer side, record → inbox (+ the handler's one-row write) → committed,
 * over records already on the topic. 4a is the classic hand-written loop (kafkajs eachMessage,
 * one transaction per record, three partitions at a time); 4b is MessageConsumer (key-ordered
 * parallel transactions, records of distinct keys batched with a savepoint each). CPU is this
 * process's; Postgres's share is not in it, the commit count per record is printed instead.
 */
const HANDLER_WRITE = 'INSERT INTO effects (order_id) VALUES ($1)';

async function produceAll(topic: string, all: readonly ReserveInventory[]): Promise<void> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  const publisher = benchPublisher(serde);
  const contract = benchContract(topic);
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < all.length; i += SEND_BATCH) {
      const prepared = await Promise.all(
        all
          .slice(i, i + SEND_BATCH)
          .map((order) => publisher.prepare({ contract, key: order.orderId, payload: order })),
      );
      await producer.send({
        topic,
        acks: -1,
        messages: prepared.map((p) => ({ key: p.key, value: p.value, headers: p.headers })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function effectsDone(pool: pg.Pool, n: number): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects');
    if ((rows[0]?.n ?? 0) >= n) return;
    await sleep(20);
  }
}

async function commits(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? 0);
}

type ConsumerPath = (topic: string, pool: pg.Pool) => Promise<{ stop(): Promise<void> }>;

async function runConsumerPath(
  label: string,
  start: ConsumerPath,
  all: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
  await db.pool.query('CREATE TABLE effects (order_id text NOT NULL)');
  const topic = await freshTopic(label);
  try {
    progress(`${label}: producing ${all.length} records`);
    await produceAll(topic, all);
    const before = await commits(db.pool);
    let consumer: { stop(): Promise<void> } | undefined;
    progress(`${label}: consuming`);
    const measured = await measure(label, sizes, async () => {
      consumer = await start(topic, db.pool);
      await effectsDone(db.pool, all.length);
    });
    const after = await commits(db.pool);
    await consumer?.stop();
    // The polling count queries are commits too (about one per 20 ms); they are left in.
    const commitsPerRecord = (after - before) / all.length;
    progress(`${label}: ${commitsPerRecord.toFixed(2)} Postgres commits per record`);
    return measured;
  } finally {
    db.pool.on('error', () => undefined);
    await db.drop();
  }
}

/** 4a: one transaction per record, as a first consumer is usually written. */
export function handWrittenConsumer(all: readonly ReserveInventory[], sizes: Sizes) {
  return runConsumerPath(
    'consumer-hand-written',
    async (topic, pool) => {
      const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl });
      const contract = benchContract(topic);
      const consumer = kafka.consumer({ groupId: uniqueName('bench-hand') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ message, partition }) => {
          const envelope = parseEnvelope(stringHeaders(message.headers));
          const { value } = await serde.decode(message.value, contract);
          await withTransaction(pool, async (tx) => {
            const inserted = await tx.query(
              `INSERT INTO inbox (consumer_group, message_id, message_type, topic, kafka_partition, kafka_offset)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
              ['bench', envelope.id, envelope.type, topic, partition, message.offset],
            );
            if (inserted.rowCount === 1)
              await tx.query(HANDLER_WRITE, [(value as ReserveInventory).orderId]);
          });
        },
      });
      return { stop: () => consumer.disconnect() };
    },
    all,
    sizes,
  );
}

/** 4b: the platform's consumer runtime, with the same handler write. */
export function runtimeConsumer(all: readonly ReserveInventory[], sizes: Sizes) {
  return runConsumerPath(
    'consumer-runtime',
    async (topic, pool) => {
      const messaging = new Messaging({
        service: 'inventory-service',
        brokers,
        registryUrl: env.schemaRegistryUrl,
        pool,
        logger: silentLogger,
      });
      messaging.consumer({
        group: uniqueName('bench-runtime'),
        retryDelaysMs: [],
        subscriptions: [
          {
            contract: benchContract(topic),
            handle: async (payload, ctx) => {
              await ctx.tx.query(HANDLER_WRITE, [(payload as ReserveInventory).orderId]);
            },
          },
        ],
      });
      await messaging.start();
      return { stop: () => messaging.stop() };
    },
    all,
    sizes,
  );
}
