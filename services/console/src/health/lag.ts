import type { Kafka } from 'kafkajs';
import {
  RETRY_TIERS,
  retryTopic,
  TOPICS,
  type ServiceName,
  type TopicName,
} from '@orderflow/contracts';

/**
 * Consumer lag per group, from the broker (no service exports it as a metric): per partition of
 * every topic the group reads (its catalogue topics and their retry tiers), the high watermark
 * minus the group's committed offset; a partition never committed counts from its low watermark.
 */
export interface GroupLag {
  readonly group: ServiceName;
  readonly lag: number;
}

export function groupTopics(): Map<ServiceName, string[]> {
  const byGroup = new Map<ServiceName, string[]>();
  for (const topic of Object.keys(TOPICS) as TopicName[]) {
    for (const group of TOPICS[topic].consumers) {
      const list = byGroup.get(group) ?? [];
      list.push(topic, ...RETRY_TIERS.map((_, i) => retryTopic(topic, group, i + 1)));
      byGroup.set(group, list);
    }
  }
  return byGroup;
}

export interface Watermarks {
  readonly partition: number;
  readonly high: string;
  readonly low: string;
}

export function lagOf(
  committed: readonly {
    topic: string;
    partitions: readonly { partition: number; offset: string }[];
  }[],
  ends: ReadonlyMap<string, readonly Watermarks[]>,
): number {
  let lag = 0;
  for (const { topic, partitions } of committed) {
    for (const end of ends.get(topic) ?? []) {
      const at = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Math.max(0, Number(end.high) - (at >= 0 ? at : Number(end.low)));
    }
  }
  return lag;
}

export async function consumerLag(kafka: Kafka): Promise<GroupLag[]> {
  const groups = groupTopics();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = [...new Set([...groups.values()].flat())];
    const ends = new Map(
      await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
    );
    return await Promise.all(
      [...groups].map(async ([group, read]) => ({
        group,
        lag: lagOf(await admin.fetchOffsets({ groupId: group, topics: read }), ends),
      })),
    );
  } finally {
    await admin.disconnect();
  }
}
