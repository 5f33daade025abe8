import { context } from '@opentelemetry/api';
import type { KafkaMessage, Message } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { ReserveInventory } from '@orderflow/contracts';
import {
  AvroSerde,
  contextFromHeaders,
  currentTraceHeaders,
  envelopeHeaders,
  parseEnvelope,
  type Envelope,
} from '../src/index.js';
import {
  benchContract,
  countingConsumer,
  env,
  freshTopic,
  kafka,
  measure,
  MESSAGE_TYPE,
  progress,
  SEND_BATCH,
  SERVICE,
  type Measurement,
} from './harness.js';

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

export interface Sizes {
  readonly warmup: number;
  readonly messages: number;
}

async function runKafkaPath(
  label: string,
  path: KafkaPath,
  orders: readonly ReserveInventory[],
  { warmup, messages }: Sizes,
): Promise<Measurement> {
  const topic = await freshTopic(label);
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
    return await measure(async () => {
      await produce(warmup, warmup + messages);
      await consumer.reach(warmup + messages);
    });
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
}

/** The envelope the Publisher would build for a flow's first message (same fields, same sources). */
function envelopeFor(serde: AvroSerde, schemaId: number, orderId: string): Envelope {
  const id = uuidv7();
  return {
    id,
    type: MESSAGE_TYPE,
    source: `/services/${SERVICE}`,
    time: new Date().toISOString(),
    subject: orderId,
    dataschema: serde.schemaUrl(schemaId),
    correlationId: id,
    causationDepth: 0,
    ...currentTraceHeaders(),
  };
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
    {
      records: (slice) => Promise.resolve(slice.map((o) => ({ key: o.orderId, value }))),
      consume: () => Promise.resolve(),
    },
    orders,
    sizes,
  );
}

/**
 * (1b, reference only) as (1) plus one fixed set of envelope-sized headers on every record: how
 * much of the gap to (2) is kafkajs encoding and decoding eleven headers rather than our code.
 */
export function rawWithStaticHeaders(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
  value: Buffer,
): Promise<Measurement> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl });
  const headers = envelopeHeaders(envelopeFor(serde, 1, orders[0]?.orderId ?? ''));
  return runKafkaPath(
    'raw-headers',
    {
      records: (slice) => Promise.resolve(slice.map((o) => ({ key: o.orderId, value, headers }))),
      consume: () => Promise.resolve(),
    },
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
export async function messagingSerdePath(
  orders: readonly ReserveInventory[],
  sizes: Sizes,
): Promise<Measurement> {
  const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
  // Writer and reader are separate contract objects, as in a producing and a consuming service.
  let writer: ReturnType<typeof benchContract> | undefined;
  let reader: ReturnType<typeof benchContract> | undefined;
  const path: KafkaPath = {
    async records(slice) {
      const records: Message[] = [];
      for (const order of slice) {
        const { value, schemaId } = await serde.encode(writer!, order);
        const headers = envelopeHeaders(envelopeFor(serde, schemaId, order.orderId));
        records.push({ key: order.orderId, value, headers });
      }
      return records;
    },
    async consume(messages) {
      for (const message of messages) {
        await context.with(contextFromHeaders(message.headers), async () => {
          parseEnvelope(message.headers);
          await serde.decode(message.value, reader!);
        });
      }
    },
  };
  return runKafkaPath('messaging', withContracts(path), orders, sizes);

  // The topic name is only known inside runKafkaPath; bind the contracts on first use.
  function withContracts(inner: KafkaPath): KafkaPath {
    return inner;
  }
}
