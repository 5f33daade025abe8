import type { Kafka } from 'kafkajs';
import { describeBroker } from '../admin.js';
import { readDlq, type DlqRecord } from '../dlq.js';
import { createKafka } from '../kafka.js';
import { silentLogger } from '../logger.js';
import {
  CliFailure,
  dlqTopicsOf,
  toFilter,
  type DlqCliConfig,
  type SelectionOptions,
} from './options.js';

/** A connection to the broker for one command, and the DLQ records a selection picks out. */
export interface DlqSession {
  readonly config: DlqCliConfig;
  readonly kafka: Kafka;
  /** Topics that exist on the broker when the command starts. */
  readonly topics: ReadonlySet<string>;
}

export interface SelectedRecord {
  readonly dlqTopic: string;
  readonly record: DlqRecord;
}

export async function openSession(config: DlqCliConfig): Promise<DlqSession> {
  // One quick probe without retries: kafkajs would otherwise retry for many seconds before
  // saying what a user needs to hear at once.
  await describeBroker(config.brokers, config.security).catch((error: unknown) => {
    throw new CliFailure(
      `Kafka broker unreachable at ${config.brokers.join(',')} (${(error as Error).message})`,
      'start the stack with ./dev stack up or set KAFKA_BROKERS',
    );
  });
  // kafkajs failures reach us as exceptions; its log lines would only clutter the output.
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: 'orderflow-dlq',
    logger: silentLogger,
    security: config.security,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return { config, kafka, topics: new Set(await admin.listTopics()) };
  } finally {
    await admin.disconnect();
  }
}

export function requireTopic(session: DlqSession, topic: string): void {
  if (!session.topics.has(topic)) {
    throw new CliFailure(
      `topic ${topic} does not exist on ${session.config.brokers.join(',')}`,
      "check the name ('./dev dlq list' lists every catalogue DLQ) or create the catalogue topics with ./dev stack up",
    );
  }
}

/** The DLQ topics a selection covers that exist; missing catalogue DLQs are skipped with a note. */
function presentDlqTopics(session: DlqSession, opts: SelectionOptions): string[] {
  const { topics, explicit } = dlqTopicsOf(opts);
  if (explicit) {
    topics.forEach((t) => requireTopic(session, t));
    return topics;
  }
  const present = topics.filter((t) => session.topics.has(t));
  if (present.length === 0) {
    throw new CliFailure(
      `none of the ${topics.length} catalogue DLQ topics exist on ${session.config.brokers.join(',')}`,
      'create them with ./dev stack up',
    );
  }
  if (present.length < topics.length) {
    const missing = topics.filter((t) => !session.topics.has(t));
    console.error(`! skipped ${missing.length} missing DLQ topic(s): ${missing.join(', ')}`);
  }
  return present;
}

/** Every matching record of the selected DLQ topics, oldest failure first. */
export async function selectRecords(
  session: DlqSession,
  opts: SelectionOptions,
): Promise<SelectedRecord[]> {
  const filter = toFilter(opts);
  const selected: SelectedRecord[] = [];
  for (const dlqTopic of presentDlqTopics(session, opts)) {
    const records = await readDlq(session.kafka, dlqTopic, filter);
    selected.push(...records.map((record) => ({ dlqTopic, record })));
  }
  return selected.sort((a, b) => a.record.lastFailureAt.localeCompare(b.record.lastFailureAt));
}
