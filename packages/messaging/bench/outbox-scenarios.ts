import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { ReserveInventory } from '@orderflow/contracts';
import { createTestDatabase } from '@orderflow/testkit';
import {
  AvroSerde,
  OutboxRelay,
  Publisher,
  silentLogger,
  StormGuard,
  withTransaction,
  type Queryable,
} from '../src/index.js';
import {
  benchContract,
  countingConsumer,
  env,
  freshTopic,
  kafka,
  MESSAGE_TYPE,
  MIGRATIONS,
  progress,
  sampleHeaders,
  SERVICE,
} from './harness.js';
import { measure, type Measurement, type Sizes } from './measure.js';

/**
 * Scenario 3: the transactional outbox, commit → relay → Kafka → consumed. Each message is its own
 * transaction (as one command handled by a service is), written by WRITERS concurrent "requests";
 * a relay publishes 500 rows per batch with acks=-1 on an idempotent producer. Both sides get a
 * fresh migrated database and topic and the same counting consumer; only the code differs.
 */
const WRITERS = 4;
const RELAY_BATCH = 500;

interface OutboxPath {
  /** Writes one message inside the caller's open transaction. */
  write(tx: Queryable, order: ReserveInventory): Promise<unknown>;
  startRelay(): Promise<void>;
  stopRelay(): Promise<void>;
}

async function runOutboxPath(
  label: string,
  pathFor: (pool: pg.Pool, topic: string) => OutboxPath,
  orders: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const { warmup, messages } = sizes;
  const db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
  const topic = await freshTopic(label);
  const consumer = await countingConsumer(topic);
  const path = pathFor(db.pool, topic);
  await path.startRelay();
  try {
    const write = (from: number, to: number) => writeAll(db.pool, orders, from, to, path);
    progress(`${label}: warm-up, ${warmup} messages`);
    await write(0, warmup);
    await consumer.reach(warmup);
    progress(`${label}: measuring ${messages} messages`);
    return await measure(label, sizes, async () => {
      await write(warmup, warmup + messages);
      await consumer.reach(warmup + messages);
    });
  } finally {
    await path.stopRelay();
    await consumer.stop();
    // drop() ends the pool, then force-drops the database: a pooled connection still closing gets
    // 57P01 "terminating connection", and an idle client's error unhandled would crash the run.
    db.pool.on('error', () => undefined);
    await db.drop();
  }
}

/** WRITERS concurrent loops, one transaction per message, orders[from, to) each written once. */
async function writeAll(
  pool: pg.Pool,
  orders: readonly ReserveInventory[],
  from: number,
  to: number,
  path: OutboxPath,
): Promise<void> {
  let next = from;
  const writer = async () => {
    while (next < to) {
      const order = orders[next++];
      if (!order) throw new Error(`no order at ${next - 1}`);
      await withTransaction(pool, (tx) => path.write(tx, order));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

/** (3) Publisher.publish in the transaction, OutboxRelay (NOTIFY-driven) publishing. */
export function messagingOutbox(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  // The real guard and its bookkeeping, with a rate far above the bench's: the default
  // 1,000 msgs/s per type would measure the throttle, not the code.
  const stormGuard = new StormGuard({ ratePerSecond: 1e9, burst: 1e9, maxDepth: 16 });
  return runOutboxPath(
    'outbox-messaging',
    (pool, topic) => {
      const publisher = new Publisher({ service: SERVICE, serde, stormGuard });
      const relay = new OutboxRelay({
        service: SERVICE,
        pool,
        kafka,
        logger: silentLogger,
        batchSize: RELAY_BATCH,
      });
      const onTopic = benchContract(topic);
      return {
        write: (tx, order) =>
          publisher.publish(tx, { contract: onTopic, key: order.orderId, payload: order }),
        startRelay: () => relay.start(),
        stopRelay: () => relay.stop(),
      };
    },
    orders,
    sizes,
  );
}

const INSERT = `INSERT INTO outbox (message_id, message_type, topic, message_key, value, headers)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const SELECT = `SELECT seq, topic, message_key, value, headers FROM outbox
  WHERE published_at IS NULL ORDER BY seq LIMIT $1`;
const MARK = 'UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])';
/** The hand-written relay's poll interval when the outbox is empty (it has no NOTIFY). */
const POLL_MS = 5;

interface Row {
  seq: string;
  topic: string;
  message_key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * (3 baseline) the same rows written and relayed by hand with plain pg + kafkajs: a pre-encoded
 * value and one pre-serialised set of envelope headers (so no validation, encoding or envelope
 * work per message), and a relay loop polling SELECT → sendBatch → UPDATE.
 */
export async function handWrittenOutbox(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
  value: Buffer,
): Promise<Measurement> {
  const headers = JSON.stringify(await sampleHeaders('bench.sample', orders[0]!));
  return runOutboxPath(
    'outbox-hand-written',
    (pool, topic) => {
      let running = false;
      let loop: Promise<void> | undefined;
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      const relay = async () => {
        while (running) {
          const { rows } = await pool.query<Row>(SELECT, [RELAY_BATCH]);
          if (rows.length === 0) {
            await sleep(POLL_MS);
            continue;
          }
          const byTopic = new Map<string, Row[]>();
          for (const row of rows) {
            const list = byTopic.get(row.topic) ?? [];
            list.push(row);
            byTopic.set(row.topic, list);
          }
          await producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([name, list]) => ({
              topic: name,
              messages: list.map((r) => ({
                key: r.message_key,
                value: r.value,
                headers: r.headers,
              })),
            })),
          });
          await pool.query(MARK, [rows.map((r) => r.seq)]);
        }
      };
      return {
        write: (tx, order) =>
          tx.query(INSERT, [randomUUID(), MESSAGE_TYPE, topic, order.orderId, value, headers]),
        async startRelay() {
          await producer.connect();
          running = true;
          loop = relay();
        },
        async stopRelay() {
          running = false;
          await loop;
          await producer.disconnect();
        },
      };
    },
    orders,
    sizes,
  );
}
