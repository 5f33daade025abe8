import type { Admin, Kafka } from 'kafkajs';
import { observeConsumerLag, type ConsumerLagRow } from '@orderflow/telemetry';

/** A scrape that waits longer than this for the broker reports no lag rather than hanging. */
const LAG_READ_TIMEOUT_MS = 3_000;

/**
 * Exports `orderflow_consumer_lag{group,topic,partition}` for this process's consumer groups, read from the
 * broker when Prometheus scrapes (no polling in between): for every topic a group has committed
 * on, the log end minus the committed offset (the log start when nothing is committed yet).
 * Returns the stop, which also closes the admin connection.
 */
export function exportConsumerLag(
  kafka: Kafka,
  groups: () => readonly string[],
): () => Promise<void> {
  let admin: Promise<Admin> | undefined;
  const connected = () =>
    (admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      admin = undefined; // the next scrape tries again
      throw error;
    }));
  const unregister = observeConsumerLag(() =>
    withTimeout(readLag(connected, groups()), LAG_READ_TIMEOUT_MS),
  );
  return async () => {
    unregister();
    const client = await admin?.catch(() => undefined);
    await client?.disconnect();
  };
}

async function readLag(
  connected: () => Promise<Admin>,
  groups: readonly string[],
): Promise<ConsumerLagRow[]> {
  const admin = await connected();
  const rows: ConsumerLagRow[] = [];
  for (const group of new Set(groups)) {
    const committed = await admin.fetchOffsets({ groupId: group });
    for (const { topic, partitions } of committed) {
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p] as const),
      );
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        if (end === undefined) continue;
        const at = Number(offset);
        const lag = Number(end.high) - (at >= 0 ? at : Number(end.low));
        rows.push({ group, topic, partition, lag: Math.max(0, lag) });
      }
    }
  }
  return rows;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the broker within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
