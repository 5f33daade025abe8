import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  javaBinary,
  kafkaBrokers,
  resolveClasspath,
  VERSIONS,
  type StackConfig,
} from '@orderflow/infra';
import { ensureTopics } from '@orderflow/messaging/admin';
import type { Admin } from '../kafka-types.js';
import type { ConsumerPerf, KafkaPerf, ProducerPerf } from '../results.js';

/**
 * Baseline (a): Kafka's own kafka-producer-perf-test and kafka-consumer-perf-test, i.e. the
 * classes org.apache.kafka.tools.ProducerPerformance and ConsumerPerformance from
 * org.apache.kafka:kafka-tools at the broker's version, resolved from Maven Central by the
 * launcher's resolver (cached under the stack cache) and run on the local JVM.
 */
const run = promisify(execFile);

export async function resolvePerfTools(config: StackConfig): Promise<string> {
  const lib = await resolveClasspath(
    [
      { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version: VERSIONS.kafka },
      // Direct, so Maven picks SLF4J 2 over the 1.7 some tool dependencies ask for; nop: the
      // tools' own log lines would only interleave with the figures we parse.
      { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: VERSIONS.slf4j },
      { groupId: 'org.slf4j', artifactId: 'slf4j-nop', version: VERSIONS.slf4j },
    ],
    path.join(config.cacheDir, `kafka-tools-${VERSIONS.kafka}`),
  );
  return `${lib}/*`;
}

async function runTool(
  config: StackConfig,
  classpath: string,
  mainClass: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<string> {
  try {
    const { stdout } = await run(
      javaBinary(config),
      ['-Xmx512m', '-XX:+UseG1GC', '-cp', classpath, mainClass, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const err = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${mainClass} failed: ${`${err.stderr ?? ''}${err.stdout ?? ''}`.trim().slice(-2000)}`,
      { cause: error },
    );
  }
}

export interface ProducerRun {
  readonly topic: string;
  readonly records: number;
  readonly recordSize: number;
  /** Records per second to aim at; -1 for as fast as it goes. */
  readonly throughput: number;
}

export async function producerPerformance(
  config: StackConfig,
  classpath: string,
  brokers: string,
  options: ProducerRun,
): Promise<ProducerPerf> {
  const out = await runTool(
    config,
    classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    [
      ...['--topic', options.topic],
      ...['--num-records', String(options.records)],
      ...['--record-size', String(options.recordSize)],
      ...['--throughput', String(options.throughput)],
      '--producer-props',
      `bootstrap.servers=${brokers}`,
      'acks=all',
    ],
    600_000,
  );
  return parseProducerPerformance(out);
}

export async function consumerPerformance(
  config: StackConfig,
  classpath: string,
  brokers: string,
  options: { readonly topic: string; readonly messages: number; readonly group: string },
): Promise<ConsumerPerf> {
  const out = await runTool(
    config,
    classpath,
    'org.apache.kafka.tools.ConsumerPerformance',
    [
      ...['--bootstrap-server', brokers],
      ...['--topic', options.topic],
      ...['--messages', String(options.messages)],
      ...['--group', options.group],
      ...['--timeout', '30000'],
    ],
    600_000,
  );
  return parseConsumerPerformance(out);
}

export interface KafkaPerfRun {
  readonly classpath: string;
  readonly admin: Admin;
  readonly runId: string;
  readonly records: number;
  /** Records per second the busiest platform step wrote: the throttled run's target. */
  readonly platformRecordRate: number;
  readonly progress: (line: string) => void;
}

const RECORD_SIZE = 300;

/**
 * On a fresh 6-partition topic (the catalogue's count): produce flat out, consume it all, then
 * produce at the platform's record rate for 10 s for the acks=all latency there. The topic and
 * the consumer's group are deleted afterwards.
 */
export async function runKafkaPerf(config: StackConfig, run: KafkaPerfRun): Promise<KafkaPerf> {
  const brokers = kafkaBrokers(config);
  const topic = `bench.perf-${run.runId}`;
  const group = `bench-perf-${run.runId}`;
  try {
    await ensureTopics([brokers], [{ name: topic, partitions: 6, retentionMs: 3_600_000 }]);
    run.progress('kafka-producer-perf-test, as fast as it goes');
    const producerMax = await producerPerformance(config, run.classpath, brokers, {
      topic,
      records: run.records,
      recordSize: RECORD_SIZE,
      throughput: -1,
    });
    run.progress('kafka-consumer-perf-test');
    const consumer = await consumerPerformance(config, run.classpath, brokers, {
      topic,
      messages: run.records,
      group,
    });
    const rate = Math.max(1, run.platformRecordRate);
    run.progress(`kafka-producer-perf-test at ${rate} records/s for 10 s`);
    const producerAtPlatformRate = await producerPerformance(config, run.classpath, brokers, {
      topic,
      records: rate * 10,
      recordSize: RECORD_SIZE,
      throughput: rate,
    });
    return {
      version: VERSIONS.kafka,
      recordSize: RECORD_SIZE,
      producerMax,
      producerAtPlatformRate,
      consumer,
    };
  } finally {
    await run.admin.deleteGroups([group]).catch(() => undefined);
    await run.admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
  }
}

const NUMBER = String.raw`([\d.]+)`;
const SUMMARY = new RegExp(
  [
    String.raw`(\d+) records sent, ${NUMBER} records/sec \(${NUMBER} MB/sec\)`,
    String.raw`${NUMBER} ms avg latency`,
    String.raw`${NUMBER} ms max latency`,
    String.raw`${NUMBER} ms 50th`,
    String.raw`${NUMBER} ms 95th`,
    String.raw`${NUMBER} ms 99th`,
    String.raw`${NUMBER} ms 99\.9th`,
  ].join(', '),
);

/** The closing summary line of ProducerPerformance (the interim lines have no percentiles). */
export function parseProducerPerformance(stdout: string): ProducerPerf {
  const match = SUMMARY.exec(stdout);
  if (!match)
    throw new Error(`no ProducerPerformance summary in its output:\n${stdout.slice(-800)}`);
  const n = (i: number) => Number(match[i]);
  return {
    records: n(1),
    recordsPerSecond: n(2),
    mbPerSecond: n(3),
    avgLatencyMs: n(4),
    maxLatencyMs: n(5),
    p50Ms: n(6),
    p95Ms: n(7),
    p99Ms: n(8),
    p999Ms: n(9),
  };
}

/** ConsumerPerformance prints a header line of field names and one line of values. */
export function parseConsumerPerformance(stdout: string): ConsumerPerf {
  const lines = stdout.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('start.time'));
  const values = at >= 0 ? lines[at + 1] : undefined;
  if (at < 0 || !values) {
    throw new Error(`no ConsumerPerformance figures in its output:\n${stdout.slice(-800)}`);
  }
  const names = (lines[at] ?? '').split(/,\s*/);
  const cells = values.split(/,\s*/);
  const field = (name: string): number => {
    const i = names.indexOf(name);
    const value = Number(cells[i]);
    if (i < 0 || !Number.isFinite(value)) throw new Error(`ConsumerPerformance printed no ${name}`);
    return value;
  };
  return {
    messages: field('data.consumed.in.nMsg'),
    mbPerSecond: field('MB.sec'),
    messagesPerSecond: field('nMsg.sec'),
    fetchMessagesPerSecond: field('fetch.nMsg.sec'),
    rebalanceMs: field('rebalance.time.ms'),
  };
}
