import { dlqTopic, TOPICS, type TopicName } from '@orderflow/contracts';
import type { DlqFilter } from '../dlq.js';
import { kafkaSecurityFromEnv, KafkaSecurityError, type KafkaSecurity } from '../kafka-security.js';

/** The DLQ tool's configuration and the parsing of its arguments into typed values. */
export interface DlqCliConfig {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** KAFKA_SASL_* / KAFKA_SSL*: on the launcher's secured broker, the operator principal. */
  readonly security: KafkaSecurity;
}

/** An expected failure: printed as one line saying what went wrong and what to do next, exit 1. */
export class CliFailure extends Error {
  constructor(
    readonly problem: string,
    readonly next: string,
  ) {
    super(`${problem}: ${next}`);
    this.name = 'CliFailure';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DlqCliConfig {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) {
    throw new CliFailure('KAFKA_BROKERS is empty', 'set it to host:port[,host:port]');
  }
  const registryUrl = env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
  let security: KafkaSecurity;
  try {
    security = kafkaSecurityFromEnv(env);
  } catch (error) {
    if (!(error instanceof KafkaSecurityError)) throw error;
    throw new CliFailure(error.message, 'fix the broker credentials (README: Security)');
  }
  return Object.freeze({ brokers: Object.freeze(brokers), registryUrl, security });
}

/** The selection flags shared by `list` and `replay`, as commander hands them over. */
export interface SelectionOptions {
  readonly topic?: string;
  readonly group?: string;
  readonly errorClass?: string;
  readonly errorCode?: string;
  readonly orderId?: string;
  readonly since?: string;
  readonly until?: string;
}

function parseTime(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new CliFailure(
      `bad ${flag} '${value}'`,
      'give an ISO time such as 2025-01-31 or 2025-01-31T12:00:00Z',
    );
  }
  return at;
}

export function toFilter(opts: SelectionOptions): DlqFilter {
  return {
    errorClass: opts.errorClass,
    errorCode: opts.errorCode,
    key: opts.orderId,
    since: parseTime('--since', opts.since),
    until: parseTime('--until', opts.until),
  };
}

function isCatalogueTopic(name: string): name is TopicName {
  return Object.hasOwn(TOPICS, name);
}

/**
 * The DLQ topics a selection covers. `--topic` is a DLQ topic, or an origin topic narrowed by
 * `--group` (a catalogue topic alone means all its groups); without it, every catalogue DLQ.
 */
export function dlqTopicsOf(opts: Pick<SelectionOptions, 'topic' | 'group'>): {
  topics: string[];
  explicit: boolean;
} {
  const { topic, group } = opts;
  if (topic?.endsWith('.dlq')) return { topics: [topic], explicit: true };
  if (topic && group) return { topics: [dlqTopic(topic, group)], explicit: true };
  let origins: TopicName[];
  if (topic === undefined) origins = Object.keys(TOPICS) as TopicName[];
  else if (isCatalogueTopic(topic)) origins = [topic];
  else {
    throw new CliFailure(
      `'${topic}' is neither a DLQ topic (<topic>.<group>.dlq) nor a catalogue topic`,
      'pass the DLQ topic name, or the origin topic with --group <consumer group>',
    );
  }
  const topics = origins.flatMap((t) =>
    TOPICS[t].consumers.filter((g) => !group || g === group).map((g) => dlqTopic(t, g)),
  );
  if (topics.length === 0) {
    throw new CliFailure(
      `no catalogue DLQ topic for group '${group ?? ''}'${topic ? ` on ${topic}` : ''}`,
      `consumer groups are: ${[...new Set(Object.values(TOPICS).flatMap((t) => t.consumers))].join(', ')}`,
    );
  }
  return { topics, explicit: topic !== undefined };
}

export interface Position {
  readonly partition: number;
  readonly offset: string;
}

export function parsePosition(value: string): Position {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match?.[1] || !match[2]) {
    throw new CliFailure(
      `bad position '${value}'`,
      "expected <partition>:<offset>, e.g. 0:42, as './dev dlq list' prints it",
    );
  }
  return { partition: Number(match[1]), offset: match[2] };
}

export function parseRate(value: string): number {
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new CliFailure(`bad --rate '${value}'`, 'give a positive number of records per second');
  }
  return rate;
}
