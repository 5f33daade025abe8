import type { Kafka, KafkaMessage } from 'kafkajs';
import { PRODUCER_CONFIG } from './kafka.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { headerString } from './envelope.js';
import { X } from './retry-headers.js';

/**
 * Reading and replaying dead-letter topics. A DLQ record keeps the original key, value and
 * headers; replay sends exactly those back to the origin topic (our bookkeeping headers dropped,
 * `x-replayed-at` added), at a bounded rate. Replaying twice is harmless: the inbox dedups.
 */
export interface DlqRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly message: KafkaMessage;
  readonly originTopic: string;
  readonly originPartition: string;
  readonly originOffset: string;
  readonly group: string;
  readonly errorCode: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  readonly type: string;
  readonly key: string;
}

export interface DlqFilter {
  readonly errorClass?: string;
  readonly errorCode?: string;
  readonly key?: string;
  readonly since?: Date;
  readonly until?: Date;
}

function toRecord(partition: number, message: KafkaMessage): DlqRecord {
  const h = (name: string) => headerString(message.headers, name) ?? '';
  return {
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    message,
    originTopic: h(X.originTopic),
    originPartition: h(X.originPartition),
    originOffset: h(X.originOffset),
    group: h(X.group),
    errorCode: h(X.errorCode),
    errorClass: h(X.errorClass),
    errorMessage: h(X.errorMessage),
    attempts: Number(h(X.attempts) || 0),
    firstFailureAt: h(X.firstFailure),
    lastFailureAt: h(X.lastFailure),
    type: h('ce_type'),
    key: message.key?.toString('utf8') ?? '',
  };
}

export function matches(record: DlqRecord, filter: DlqFilter): boolean {
  const at = new Date(record.lastFailureAt || record.timestamp);
  return (
    (!filter.errorClass || record.errorClass === filter.errorClass) &&
    (!filter.errorCode || record.errorCode === filter.errorCode) &&
    (!filter.key || record.key === filter.key) &&
    (!filter.since || at >= filter.since) &&
    (!filter.until || at <= filter.until)
  );
}

/** Every record currently in a DLQ topic (up to its end offsets at the time of the call). */
export async function readDlq(
  kafka: Kafka,
  dlqTopic: string,
  filter: DlqFilter = {},
): Promise<DlqRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlqTopic).finally(() => admin.disconnect());
  const pending = new Map(
    ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]),
  );
  const records: DlqRecord[] = [];
  if (pending.size === 0) return records;
  // A throwaway group that never commits: reading must not move anyone's offsets.
  const consumer = kafka.consumer({ groupId: `dlq-reader-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => {
            const end = pending.get(partition);
            if (end !== undefined && BigInt(message.offset) < end) {
              const record = toRecord(partition, message);
              if (matches(record, filter)) records.push(record);
              if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
            }
            if (pending.size === 0) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.lastFailureAt.localeCompare(b.lastFailureAt));
}

export interface Replayed {
  readonly record: DlqRecord;
  readonly replayedAt: string;
}

/** Who asked for a replay (an operator's name), on each replayed record when given. */
export const REPLAYED_BY_HEADER = 'x-replayed-by';

export interface ReplayOptions {
  readonly ratePerSecond?: number;
  /** Recorded as the REPLAYED_BY_HEADER of every replayed record. */
  readonly replayedBy?: string;
  readonly now?: () => Date;
  /** Called after each record is acknowledged by the broker, in order (for logs and progress). */
  readonly onReplayed?: (replayed: Replayed) => Promise<void> | void;
}

/**
 * Sends the records back to their origin topics, at most `ratePerSecond` a second. Returns how
 * many were sent; on failure every record before the failing one has been acknowledged.
 */
export async function replayDlq(
  kafka: Kafka,
  records: readonly DlqRecord[],
  { ratePerSecond = 50, now = () => new Date(), onReplayed, replayedBy }: ReplayOptions = {},
): Promise<number> {
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  const ours = new Set<string>([...Object.values(X), REPLAYED_BY_HEADER]);
  let sent = 0;
  try {
    for (const record of records) {
      const started = Date.now();
      const headers = Object.fromEntries(
        Object.entries(record.message.headers ?? {}).filter(
          ([name, v]) => !ours.has(name) && v !== undefined,
        ),
      );
      const replayedAt = now().toISOString();
      await producer.send({
        topic: record.originTopic,
        acks: -1,
        messages: [
          {
            key: record.message.key,
            value: record.message.value,
            headers: {
              ...headers,
              [X.replayedAt]: replayedAt,
              ...(replayedBy !== undefined ? { [REPLAYED_BY_HEADER]: replayedBy } : {}),
            },
          },
        ],
      });
      sent += 1;
      await onReplayed?.({ record, replayedAt });
      const spacing = 1000 / ratePerSecond - (Date.now() - started);
      if (spacing > 0) await sleep(spacing);
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}
