import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX, metricsRegistry } from './metrics-registry.js';

/** What finally happened to one consumed record ('ignored': a type this consumer has no handler for). */
export type ConsumeOutcome = 'ok' | 'duplicate' | 'ignored' | 'retried' | 'dead_lettered';

interface MessageLabels {
  readonly topic: string;
  readonly type: string;
}
interface HandlerLabels extends MessageLabels {
  readonly group: string;
}

/**
 * The messaging metric set, declared once so every service exports the same names and labels.
 * Label values must come from closed sets (topics, types, groups, error codes), never from
 * payloads or error messages, or the series count grows without bound.
 */
export interface MessagingMetrics {
  produced(labels: MessageLabels): void;
  consumed(labels: HandlerLabels & { readonly outcome: ConsumeOutcome }): void;
  /** `tier` names the retry stage, e.g. the delayed retry topic's delay ("5s", "1m"). */
  retried(labels: { readonly topic: string; readonly group: string; readonly tier: string }): void;
  /** `reason` is a stable error code, e.g. "DECODE_FAILED", "RETRIES_EXHAUSTED". */
  deadLettered(labels: {
    readonly topic: string;
    readonly group: string;
    readonly reason: string;
  }): void;
  inboxDuplicate(labels: { readonly group: string }): void;
  outboxBacklog(service: string, rows: number): void;
  outboxOldestAge(service: string, seconds: number): void;
  handlerDuration(labels: HandlerLabels, seconds: number): void;
  /** Starts timing a handler; calling the result records the duration and returns it in seconds. */
  startHandlerTimer(labels: HandlerLabels): () => number;
}

// From a 1 ms inbox hit to a 30 s handler that is about to be retried.
const HANDLER_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export function createMessagingMetrics(registry: Registry): MessagingMetrics {
  const registers = [registry];
  const produced = new Counter({
    name: `${METRIC_PREFIX}messages_produced_total`,
    help: 'Messages published to Kafka by the outbox relay.',
    labelNames: ['topic', 'type'] as const,
    registers,
  });
  const consumed = new Counter({
    name: `${METRIC_PREFIX}messages_consumed_total`,
    help: 'Records consumed, by final outcome.',
    labelNames: ['topic', 'type', 'group', 'outcome'] as const,
    registers,
  });
  const retried = new Counter({
    name: `${METRIC_PREFIX}messages_retried_total`,
    help: 'Records sent to a delayed retry tier.',
    labelNames: ['topic', 'group', 'tier'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: `${METRIC_PREFIX}messages_dead_lettered_total`,
    help: 'Records sent to the dead-letter topic.',
    labelNames: ['topic', 'group', 'reason'] as const,
    registers,
  });
  const inboxDuplicates = new Counter({
    name: `${METRIC_PREFIX}inbox_duplicates_total`,
    help: 'Deliveries skipped because the inbox had already processed the message id.',
    labelNames: ['group'] as const,
    registers,
  });
  const outboxBacklog = new Gauge({
    name: `${METRIC_PREFIX}outbox_backlog`,
    help: 'Outbox rows not yet published.',
    labelNames: ['service'] as const,
    registers,
  });
  const outboxOldestAge = new Gauge({
    name: `${METRIC_PREFIX}outbox_oldest_age_seconds`,
    help: 'Age of the oldest unpublished outbox row (0 when empty).',
    labelNames: ['service'] as const,
    registers,
  });
  const handlerDuration = new Histogram({
    name: `${METRIC_PREFIX}handler_duration_seconds`,
    help: 'Time spent in a message handler, including its inbox/outbox transaction.',
    labelNames: ['topic', 'type', 'group'] as const,
    buckets: HANDLER_BUCKETS,
    registers,
  });

  return {
    produced: (labels) => produced.inc({ ...labels }),
    consumed: (labels) => consumed.inc({ ...labels }),
    retried: (labels) => retried.inc({ ...labels }),
    deadLettered: (labels) => deadLettered.inc({ ...labels }),
    inboxDuplicate: (labels) => inboxDuplicates.inc({ ...labels }),
    outboxBacklog: (service, rows) => outboxBacklog.set({ service }, rows),
    outboxOldestAge: (service, seconds) => outboxOldestAge.set({ service }, seconds),
    handlerDuration: (labels, seconds) => handlerDuration.observe({ ...labels }, seconds),
    startHandlerTimer: (labels) => handlerDuration.startTimer({ ...labels }),
  };
}

let processMetrics: MessagingMetrics | undefined;

/** The messaging metrics on this process's registry (`metricsRegistry()`), declared on first use. */
export function messagingMetrics(): MessagingMetrics {
  processMetrics ??= createMessagingMetrics(metricsRegistry());
  return processMetrics;
}
