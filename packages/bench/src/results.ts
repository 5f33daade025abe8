import type { HandlerTime } from './platform/handler-metrics.js';
import type { LagSummary } from './platform/lag.js';
import type { ResourceUsage } from './platform/resources.js';
import type { Summary } from './stats.js';

/** The record of one benchmark run: what is printed, written as JSON and rendered. */

export interface PlatformStep {
  /** Offered orders per second (open loop). */
  readonly rate: number;
  readonly durationSeconds: number;
  readonly sent: number;
  /** Answered 202. */
  readonly accepted: number;
  /** Non-202 answers by status (`network` for no answer). */
  readonly httpErrors: Readonly<Record<string, number>>;
  readonly completed: number;
  readonly cancelled: number;
  /** Cancelled orders by reason (STEP_TIMEOUT, OUT_OF_STOCK, ...). */
  readonly cancelReasons: Readonly<Record<string, number>>;
  /** FAILED_NEEDS_ATTENTION, or not terminal when the drain timed out. */
  readonly otherStatus: Readonly<Record<string, number>>;
  /** Completions per second between the first and the last finalAt of the step's orders. */
  readonly completedPerSecond: number;
  /** placedAt → finalAt of completed orders, ms. */
  readonly latencyMs: Summary | undefined;
  /** Due time of the POST (schedule) → its answer, ms: what a client waits to be accepted. */
  readonly acceptMs: Summary | undefined;
  /** The generator's worst lateness in firing an arrival, ms. */
  readonly generatorLateMs: number;
  readonly lag: LagSummary;
  /** Business-topic records written per accepted order. */
  readonly recordsPerOrder: number;
  /** Postgres commits on the platform's databases per accepted order (pg_stat_database). */
  readonly commitsPerOrder: number | undefined;
  /** Step start → every order finished (the window CPU is measured over). */
  readonly windowSeconds: number;
  readonly resources: readonly ResourceUsage[];
  /** Records each service handled in the step and its mean time per record. */
  readonly handlers: Readonly<Record<string, HandlerTime>>;
}

export interface ChainStep {
  readonly rate: number;
  readonly hops: number;
  readonly sent: number;
  readonly delivered: number;
  readonly deliveredPerSecond: number;
  /** Injected → consumed from the last hop, ms. */
  readonly latencyMs: Summary | undefined;
  readonly windowSeconds: number;
  readonly resources: readonly ResourceUsage[];
}

export interface ProducerPerf {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

export interface ConsumerPerf {
  readonly messages: number;
  readonly mbPerSecond: number;
  readonly messagesPerSecond: number;
  /** Excluding the group's rebalance: the fetch loop alone. */
  readonly fetchMessagesPerSecond: number;
  readonly rebalanceMs: number;
}

export interface KafkaPerf {
  readonly version: string;
  readonly recordSize: number;
  /** As fast as it goes. */
  readonly producerMax: ProducerPerf;
  /** Throttled to the record rate of the busiest platform step: the acks=all latency there. */
  readonly producerAtPlatformRate: ProducerPerf | undefined;
  readonly consumer: ConsumerPerf;
}

export interface PgbenchRun {
  readonly clients: number;
  readonly seconds: number;
  readonly transactions: number;
  readonly failed: number;
  readonly tps: number;
  readonly latencyAvgMs: number;
}

export interface Pgbench {
  readonly version: string;
  /** The hop transaction as many clients as the services' pools allow, flat out. */
  readonly concurrent: PgbenchRun;
  /** One client: the latency of one hop's transaction with no queueing. */
  readonly single: PgbenchRun;
  readonly script: string;
  /** pgbench's -M: `prepared` since the services prepare their statements; older runs lack it. */
  readonly protocol?: string;
}

export interface Skipped {
  readonly what: string;
  readonly why: string;
}

export interface Machine {
  readonly cpus: number;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  readonly node: string;
}

export interface RunRecord {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: readonly string[];
  readonly machine: Machine;
  readonly hops: number;
  readonly platform: readonly PlatformStep[];
  readonly chain: readonly ChainStep[];
  readonly kafkaPerf: KafkaPerf | undefined;
  readonly pgbench: Pgbench | undefined;
  readonly skipped: readonly Skipped[];
}
