import type { Admin } from '../kafka-types.js';
import {
  RETRY_TIERS,
  retryTopic,
  TOPICS,
  type ServiceName,
  type TopicName,
} from '@orderflow/contracts';
import { slope } from '../stats.js';

/**
 * Consumer lag of the platform's groups (each service consumes as a group named after itself)
 * sampled over a step, and the records the platform wrote to its business topics meanwhile.
 */
export interface GroupTopics {
  readonly group: ServiceName;
  readonly topics: readonly string[];
}

/** Each service's group and what it reads: its catalogue topics and their retry tiers. */
export function platformGroups(): GroupTopics[] {
  const byGroup = new Map<ServiceName, string[]>();
  for (const [topic, spec] of Object.entries(TOPICS) as [TopicName, (typeof TOPICS)[TopicName]][]) {
    for (const group of spec.consumers) {
      const list = byGroup.get(group) ?? [];
      list.push(topic, ...RETRY_TIERS.map((_, i) => retryTopic(topic, group, i + 1)));
      byGroup.set(group, list);
    }
  }
  return [...byGroup].map(([group, topics]) => ({ group, topics }));
}

export interface PartitionOffsets {
  readonly partition: number;
  readonly high: string;
  readonly low: string;
}

export interface CommittedOffsets {
  readonly topic: string;
  readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
}

/**
 * Records not yet committed by the group: per partition, the high watermark minus the committed
 * offset (a partition never committed counts from its low watermark).
 */
export function groupLag(
  committed: readonly CommittedOffsets[],
  ends: ReadonlyMap<string, readonly PartitionOffsets[]>,
): number {
  let lag = 0;
  for (const { topic, partitions } of committed) {
    const offsets = ends.get(topic) ?? [];
    for (const p of offsets) {
      const at = Number(partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
      const from = at >= 0 ? at : Number(p.low);
      lag += Math.max(0, Number(p.high) - from);
    }
  }
  return lag;
}

export interface LagSample {
  /** Seconds since the step started. */
  readonly at: number;
  readonly byGroup: Readonly<Record<string, number>>;
  readonly total: number;
  /** Sum of the high watermarks of the business topics. */
  readonly written: number;
}

export interface LagSummary {
  readonly samples: number;
  readonly maxByGroup: Readonly<Record<string, number>>;
  readonly endByGroup: Readonly<Record<string, number>>;
  /** Least-squares trend of the total lag over the arrival window, records per second. */
  readonly slopePerSecond: number;
  readonly growing: boolean;
  /** Records written to the business topics between the first and last sample. */
  readonly recordsWritten: number;
}

/**
 * Whether lag kept growing over the window. Services commit offsets about once a second, so a
 * keeping-up group shows a saw-tooth up to ~1 s of records; growing means a trend of more than
 * a tenth of the record rate, ending above two seconds' worth of records.
 */
export function summarizeLag(samples: readonly LagSample[]): LagSummary {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const maxByGroup: Record<string, number> = {};
  for (const s of samples)
    for (const [g, v] of Object.entries(s.byGroup)) maxByGroup[g] = Math.max(maxByGroup[g] ?? 0, v);
  const recordsWritten = first && last ? last.written - first.written : 0;
  const seconds = first && last ? last.at - first.at : 0;
  const recordRate = seconds > 0 ? recordsWritten / seconds : 0;
  const trend = slope(samples.map((s) => ({ x: s.at, y: s.total })));
  return {
    samples: samples.length,
    maxByGroup,
    endByGroup: last?.byGroup ?? {},
    slopePerSecond: trend,
    growing: trend > Math.max(5, 0.1 * recordRate) && (last?.total ?? 0) > 2 * recordRate,
    recordsWritten,
  };
}

/** Reads every group's lag and the business topics' ends once. */
export async function sampleLag(
  admin: Admin,
  groups: readonly GroupTopics[],
  at: number,
): Promise<LagSample> {
  const topics = [...new Set(groups.flatMap((g) => g.topics))];
  const ends = new Map<string, PartitionOffsets[]>();
  await Promise.all(
    topics.map(async (topic) => {
      ends.set(topic, await admin.fetchTopicOffsets(topic));
    }),
  );
  const byGroup: Record<string, number> = {};
  await Promise.all(
    groups.map(async ({ group, topics: read }) => {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [...read] });
      byGroup[group] = groupLag(committed, ends);
    }),
  );
  const written = (Object.keys(TOPICS) as TopicName[])
    .flatMap((t) => ends.get(t) ?? [])
    .reduce((sum, p) => sum + Number(p.high), 0);
  const total = Object.values(byGroup).reduce((sum, v) => sum + v, 0);
  return { at, byGroup, total, written };
}
