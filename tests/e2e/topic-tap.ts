import { TOPICS } from '@orderflow/contracts';
import { createKafka, parseEnvelope, silentLogger, type Envelope } from '@orderflow/messaging';
import { eventually, testEnvironment } from '@orderflow/testkit';
import type { Kafka } from 'kafkajs';

/** One record of a business topic, as the platform wrote it. */
export interface TappedRecord {
  readonly topic: string;
  readonly key: string;
  readonly envelope: Envelope;
}

type Marks = ReadonlyMap<string, readonly { partition: number; offset: string }[]>;

const BUSINESS_TOPICS = Object.keys(TOPICS);

/**
 * Watches the platform's business topics from a point in time: `TopicTap.mark()` notes every
 * partition's end offset, `recordsFor` then reads what was written after it for one key. It
 * observes only (a throwaway group that never commits), so it changes nothing in the stack.
 */
export class TopicTap {
  private constructor(
    private readonly kafka: Kafka,
    private readonly marks: Marks,
  ) {}

  static async mark(): Promise<TopicTap> {
    const brokers = testEnvironment().kafkaBrokers.split(',');
    const kafka = createKafka({ brokers, clientId: 'e2e-topic-tap', logger: silentLogger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const marks = new Map<string, { partition: number; offset: string }[]>();
      for (const topic of BUSINESS_TOPICS) {
        const offsets = await admin.fetchTopicOffsets(topic);
        marks.set(
          topic,
          offsets.map(({ partition, high }) => ({ partition, offset: high })),
        );
      }
      return new TopicTap(kafka, marks);
    } finally {
      await admin.disconnect();
    }
  }

  /** The records keyed `key` written since the mark, once `complete` says all have arrived. */
  async recordsFor(
    key: string,
    complete: (records: readonly TappedRecord[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<TappedRecord[]> {
    const records: TappedRecord[] = [];
    const consumer = this.kafka.consumer({ groupId: `e2e-tap-${process.pid}-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: BUSINESS_TOPICS, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, message }) => {
          if (message.key?.toString() === key) {
            records.push({ topic, key, envelope: parseEnvelope(message.headers) });
          }
          return Promise.resolve();
        },
      });
      for (const [topic, partitions] of this.marks) {
        for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
      }
      await eventually(
        `every record of ${key} on the business topics`,
        () => {
          if (!complete(records)) {
            throw new Error(
              `${records.length} so far: ${records.map((r) => r.envelope.type).join(', ')}`,
            );
          }
        },
        { timeoutMs, intervalMs: 100 },
      );
      return [...records];
    } finally {
      await consumer.disconnect();
    }
  }
}
