import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { CatalogueTopic } from '@orderflow/contracts';

/** Broker administration for tooling (launcher, tests): readiness probe and idempotent topic creation. */
export interface BrokerInfo {
  readonly clusterId: string;
  readonly brokers: number;
}

function adminClient(brokers: readonly string[]) {
  const kafka = new Kafka({
    clientId: 'orderflow-admin',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
  });
  return kafka.admin();
}

/** One metadata round-trip; throws when the broker does not answer. */
export async function describeBroker(brokers: readonly string[]): Promise<BrokerInfo> {
  const admin = adminClient(brokers);
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await sleep(100);
  }
}

export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly Pick<CatalogueTopic, 'name' | 'partitions' | 'retentionMs'>[],
): Promise<EnsureTopicsResult> {
  const admin = adminClient(brokers);
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t.name));
    if (missing.length > 0) {
      // kafkajs's own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after creation; we poll the metadata ourselves instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((t) => t.name),
      );
    }
    return {
      created: missing.map((t) => t.name),
      existing: topics.filter((t) => present.has(t.name)).map((t) => t.name),
    };
  } finally {
    await admin.disconnect();
  }
}
