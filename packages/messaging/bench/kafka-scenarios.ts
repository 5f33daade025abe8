import { context } from '@opentelemetry/api';
import type { KafkaMessage, Message } from 'kafkajs';
import type { ReserveInventory } from '@orderflow/contracts';
import { extractTraceContext } from '@orderflow/telemetry';
import { AvroSerde, parseEnvelope, stringHeaders } from '../src/index.js';
import {
  benchContract,
  countingConsumer,
  benchPublisher,
  env,
  freshTopic,
  kafka,
  progress,
  sampleHeaders,
  SEND_BATCH,
} from './harness.js';
import { measure, type Measurement, type Sizes } from './measure.js';

/**
 * Scenarios 1 and 2: publish → consume through Kafka only (no database). Both sides send the same
 * records in the same batches to a fresh topic and consume them with the same consumer settings;
 * they differ only in the per-record work each does around kafkajs.
 */
interface KafkaPath {
  /** Turns a slice of orders into the records of one producer.send. */
  records(orders: readonly ReserveInventory[]): Promise<Message[]>;
  /** Consume-side work for one fetched batch. */
  consume(messages: KafkaMessage[]): Promise<void>;
}

async function runKafkaPath(
  label: string,
  pathFor: (topic: string) => KafkaPath,
  orders: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const { warmup, messages } = sizes;
  const topic = await freshTopic(label);
  const path = pathFor(topic);
  const consumer = await countingConsumer(topic, (batch) => path.consume(batch));
  const producer = kafka.producer();
  await producer.connect();
  try {
    const produce = async (from: number, to: number) => {
      for (let i = from; i < to; i += SEND_BATCH) {
        const records = await path.records(orders.slice(i, Math.min(i + SEND_BATCH, to)));
        await producer.send({ topic, acks: -1, messages: records });
      }
    };
    progress(`${label}: warm-up, ${warmup} messages`);
    await produce(0, warmup);
    await consumer.reach(warmup);
    progress(`${label}: measuring ${messages} messages`);
    return await measure(label, sizes, async () => {
      await produce(warmup, warmup + messages);
      await consumer.reach(warmup + messages);
    });
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
}

/** One Avro value of the orders' exact encoded size, encoded once, for the raw baselines. */
export async function preEncodedValue(orders: readonly ReserveInventory[]): Promise<Buffer> {
  const first = orders[0];
  if (!first) throw new Error('no orders to encode');
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  return (await serde.encode(benchContract('bench.size-probe'), first)).value;
}

/** (1) kafkajs alone: a pre-encoded value per record, the consumer only counts. */
export function rawKafkajs(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
  value: Buffer,
): Promise<Measurement> {
  return runKafkaPath(
    'raw',
    () => ({
      records: (slice) => Promise.resolve(slice.map((o) => ({ key: o.orderId, value }))),
      consume: () => Promise.resolve(),
    }),
    orders,
    sizes,
  );
}

/**
 * (1b, reference only) as (1) plus one fixed set of envelope-sized headers on every record: how
 * much of the gap to (2) is kafkajs encoding and decoding eleven headers rather than our code.
 */
export async function rawWithStaticHeaders(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
  value: Buffer,
): Promise<Measurement> {
  const headers = await sampleHeaders('bench.sample', orders[0]!);
  return runKafkaPath(
    'raw-headers',
    () => ({
      records: (slice) => Promise.resolve(slice.map((o) => ({ key: o.orderId, value, headers }))),
      consume: () => Promise.resolve(),
    }),
    orders,
    sizes,
  );
}

/**
 * (2) the messaging serde + envelope + tracing path without outbox or inbox: per record, validate
 * and encode with the registry id, build the CloudEvents headers with the active trace context;
 * on consume, what MessageConsumer does before the inbox: extract the trace context, parse the
 * envelope, decode with the reader's contract.
 */
export function messagingSerdePath(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  const publisher = benchPublisher(serde);
  return runKafkaPath(
    'messaging',
    (topic) => {
      // Separate writer and reader contract objects, as in a producing and a consuming service.
      const writer = benchContract(topic);
      const reader = benchContract(topic);
      return {
        async records(slice) {
          const records: Message[] = [];
          for (const order of slice) {
            const { key, value, headers } = await publisher.prepare({
              contract: writer,
              key: order.orderId,
              payload: order,
            });
            records.push({ key, value, headers });
          }
          return records;
        },
        async consume(messages) {
          for (const message of messages) {
            // As MessageConsumer does: headers decoded once, shared by trace extraction and envelope.
            const headers = stringHeaders(message.headers);
            await context.with(extractTraceContext(headers), async () => {
              parseEnvelope(headers);
              await serde.decode(message.value, reader);
            });
          }
        },
      };
    },
    orders,
    sizes,
  );
}
