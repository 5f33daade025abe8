import type { KafkaMessage } from 'kafkajs';
import { CliFailure, type Position } from './options.js';
import { requireTopic, type DlqSession } from './session.js';

/**
 * The one record at `partition:offset` of a topic. Checks the position against the partition's
 * offsets first, then seeks a throwaway, never-committing consumer straight to it.
 */
export async function readDlqRecord(
  session: DlqSession,
  topic: string,
  { partition, offset }: Position,
): Promise<KafkaMessage> {
  requireTopic(session, topic);
  const admin = session.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const range = offsets.find((p) => p.partition === partition);
  if (!range) throw noSuchPartition(topic, partition, offsets.length);
  if (BigInt(offset) < BigInt(range.low) || BigInt(offset) >= BigInt(range.high)) {
    throw new CliFailure(
      `no record at ${partition}:${offset} in ${topic}`,
      range.low === range.high
        ? `partition ${partition} is empty; ${listHint(topic)} shows what there is`
        : `partition ${partition} holds offsets ${range.low}..${BigInt(range.high) - 1n}`,
    );
  }

  const consumer = session.kafka.consumer({ groupId: `dlq-show-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    let found!: (message: KafkaMessage) => void;
    let failed!: (error: unknown) => void;
    const result = new Promise<KafkaMessage>((resolve, reject) => {
      found = resolve;
      failed = reject;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => failed(payload.error));
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition: p, message }) => {
        if (p !== partition || BigInt(message.offset) < BigInt(offset)) return Promise.resolve();
        if (message.offset === offset) found(message);
        else
          failed(
            new CliFailure(
              `no record at ${partition}:${offset} in ${topic} (the next one is at ${message.offset})`,
              `${listHint(topic)} shows what there is`,
            ),
          );
        return Promise.resolve();
      },
    });
    consumer.seek({ topic, partition, offset });
    return await result;
  } finally {
    await consumer.disconnect();
  }
}

const listHint = (topic: string) => `'./dev dlq list --topic ${topic}'`;

/**
 * A position on a partition the topic lacks. The catalogue's DLQs have a single partition, so
 * the hint names the one valid partition rather than a range like 0..0.
 */
export function noSuchPartition(topic: string, partition: number, partitions: number): CliFailure {
  const valid =
    partitions === 1
      ? 'it has a single partition, 0, so positions are 0:<offset>'
      : `its partitions are 0..${partitions - 1}`;
  return new CliFailure(
    `${topic} has no partition ${partition}`,
    `${valid}; ${listHint(topic)} prints each record's position`,
  );
}
