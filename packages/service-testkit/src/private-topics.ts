import { dlqTopic, RETRY_TIERS, retryTopic } from '@orderflow/contracts';
import { ensureTopics } from '@orderflow/messaging/admin';

/**
 * Creates `topic` with the retry tiers and dead-letter topic that consumer `group` uses, for one
 * test file: a unique name per file keeps its records and schema subjects away from every other
 * run. An hour's retention is plenty for a test.
 */
export async function privateTopics(
  brokers: readonly string[],
  topic: string,
  group: string,
): Promise<void> {
  const names = [
    topic,
    ...RETRY_TIERS.map((_, i) => retryTopic(topic, group, i + 1)),
    dlqTopic(topic, group),
  ];
  await ensureTopics(
    brokers,
    names.map((name) => ({ name, partitions: 3, retentionMs: 3_600_000 })),
  );
}
