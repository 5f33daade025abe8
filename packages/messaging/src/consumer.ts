import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_CONFIG } from './kafka.js';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type pg from 'pg';
import { dlqTopic, RETRY_TIERS, retryTopic } from '@orderflow/contracts';
import {
  extractTraceContext,
  messagingMetrics,
  SpanKind,
  withLogContext,
  withSpan,
} from '@orderflow/telemetry';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { MessageContract } from './contract.js';
import type { Queryable } from './db.js';
import { parseEnvelope, stringHeaders, CE, type Envelope } from './envelope.js';
import { classifyError, type Classification } from './errors.js';
import type { Logger } from './logger.js';
import type { OutgoingMessage, Publisher } from './publisher.js';
import { failureHeaders, failureState, X, type FailureState } from './retry-headers.js';
import type { AvroSerde } from './serde.js';

/**
 * The consumer path. Per record: decode with the reader schema → one DB transaction holding the
 * inbox row (dedup on consumer group + ce_id), the handler's writes and its outbox rows → resolve
 * the offset. Errors: retryable ones get in-process backoff, then delayed retry topics (a tier
 * that is not due yet pauses only its partition), then the DLQ; non-retryable ones and records
 * that cannot be decoded go straight to the DLQ. A poison record never stops the consumer.
 */
export interface HandlerContext {
  readonly tx: Queryable;
  readonly envelope: Envelope;
  readonly key: string;
  readonly logger: Logger;
  /** Publishes through the outbox in this transaction, caused by the record being handled. */
  publish(message: Omit<OutgoingMessage, 'causedBy' | 'correlationId'>): Promise<Envelope>;
}

export type Handler = (payload: unknown, ctx: HandlerContext) => Promise<void>;

export interface Subscription {
  readonly contract: MessageContract;
  readonly handle: Handler;
}

export type Outcome = 'ok' | 'duplicate' | 'ignored' | 'retried' | 'dead_lettered';

export interface ConsumerObserver {
  onRecord?(e: { topic: string; type: string; outcome: Outcome; durationMs: number }): void;
  onDeadLetter?(e: { topic: string; reason: string }): void;
  onRetry?(e: { topic: string; tier: number }): void;
  /** The member (re)joined its group: once at start, again on every rebalance. */
  onGroupJoin?(e: { memberId: string }): void;
}

export interface ConsumerOptions {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly serde: AvroSerde;
  readonly publisher: Publisher;
  readonly group: string;
  readonly subscriptions: readonly Subscription[];
  readonly logger: Logger;
  readonly backoff?: BackoffPolicy;
  /** Delay of each retry tier; the catalogue's tiers by default (their topics exist). */
  readonly retryDelaysMs?: readonly number[];
  readonly partitionsConsumedConcurrently?: number;
  readonly observer?: ConsumerObserver;
  readonly fromBeginning?: boolean;
  /** Broker-side limit for a silent member (kafkajs default 30 s; the broker's minimum is 6 s). */
  readonly sessionTimeoutMs?: number;
  /**
   * Called after a handler's transaction committed, before its offset is resolved or committed:
   * the fault-injection hook (see fault-injection.ts). Unset in normal runs.
   */
  readonly afterCommit?: () => void;
}

type Result = { outcome: Outcome; classification?: Classification };

export class MessageConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly byType: Map<string, Subscription>;
  private readonly topics: string[];
  private readonly backoff: BackoffPolicy;
  private readonly retryDelaysMs: readonly number[];
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: ConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
      // Our own loop decides retries; kafkajs restarting the consumer would only re-deliver.
      retry: { retries: 10 },
      readUncommitted: false,
    });
    this.producer = options.kafka.producer(PRODUCER_CONFIG);
    this.byType = new Map(options.subscriptions.map((s) => [s.contract.type, s]));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.retryDelaysMs = options.retryDelaysMs ?? RETRY_TIERS.map((t) => t.delayMs);
    const sources = [...new Set(options.subscriptions.map((s) => s.contract.topic))];
    this.topics = sources.flatMap((t) => [
      t,
      ...this.retryDelaysMs.map((_, i) => retryTopic(t, options.group, i + 1)),
    ]);
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.options.observer?.onGroupJoin?.({ memberId: event.payload.memberId });
    });
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 1_000,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops fetching, lets the batch in flight finish, commits what was processed. */
  async stop(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) return;
      const state = failureState(batch.topic, batch.partition, message.offset, message.headers);
      const wait = state.notBefore - Date.now();
      if (wait > 0) {
        // Not due yet: stop this partition only, and come back to this very record.
        const resume = payload.pause();
        const timer = setTimeout(() => {
          this.resumeTimers.delete(timer);
          resume();
        }, wait);
        this.resumeTimers.add(timer);
        return;
      }
      await this.process(batch.topic, batch.partition, message, state, heartbeat);
      payload.resolveOffset(message.offset);
      await heartbeat();
      await payload.commitOffsetsIfNecessary();
    }
  }

  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    state: FailureState,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const started = Date.now();
    const { group } = this.options;
    const headers = stringHeaders(message.headers);
    const type = headers[CE.type] ?? '(none)';
    const messageId = headers[CE.id];
    const result = await withSpan(
      `process ${state.origin.topic}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(headers),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
          'messaging.consumer.group.name': group,
          'messaging.message.id': messageId ?? '',
          'cloudevents.event_type': type,
        },
      },
      () =>
        withLogContext(
          {
            correlationId: headers[CE.correlationId],
            messageId,
            causationId: headers[CE.causationId],
          },
          () => this.attemptAll(partition, message, headers, state, heartbeat),
        ),
    );
    const durationMs = Date.now() - started;
    const metrics = messagingMetrics();
    metrics.consumed({ topic: state.origin.topic, type, group, outcome: result.outcome });
    metrics.handlerDuration({ topic: state.origin.topic, type, group }, durationMs / 1000);
    if (result.outcome === 'duplicate') metrics.inboxDuplicate({ group });
    this.options.observer?.onRecord?.({
      topic: state.origin.topic,
      type,
      outcome: result.outcome,
      durationMs,
    });
    if (result.outcome === 'dead_lettered' || result.outcome === 'retried') {
      this.options.logger.warn(
        {
          topic,
          originTopic: state.origin.topic,
          offset: message.offset,
          type,
          outcome: result.outcome,
          error: result.classification,
        },
        `record ${result.outcome === 'retried' ? 'sent to a retry tier' : 'dead-lettered'}`,
      );
    }
  }

  private async attemptAll(
    partition: number,
    message: KafkaMessage,
    headers: Record<string, string>,
    state: FailureState,
    heartbeat: () => Promise<void>,
  ): Promise<Result> {
    let attempts = state.attempts;
    for (let inProcess = 1; ; inProcess += 1) {
      attempts += 1;
      try {
        return { outcome: await this.handleOnce(partition, message, headers, heartbeat) };
      } catch (error) {
        const classification = classifyError(error);
        if (classification.retryable && inProcess < this.backoff.attempts) {
          await this.sleepWithHeartbeat(backoffDelay(this.backoff, inProcess), heartbeat);
          continue;
        }
        const next = { ...state, attempts };
        if (classification.retryable && state.tier < this.retryDelaysMs.length) {
          await this.forwardToRetry(message, next, classification);
          return { outcome: 'retried', classification };
        }
        await this.forwardToDlq(message, next, classification);
        return { outcome: 'dead_lettered', classification };
      }
    }
  }

  /** One attempt: decode, then inbox + handler + outbox in one transaction. */
  private async handleOnce(
    partition: number,
    message: KafkaMessage,
    headers: Record<string, string>,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const envelope = parseEnvelope(headers);
    const subscription = this.byType.get(envelope.type);
    if (!subscription) return 'ignored';
    const { value } = await this.options.serde.decode(message.value, subscription.contract);
    const client = await this.options.pool.connect();
    // Keep group membership through a slow handler: kafkajs only heartbeats when asked to.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO inbox (consumer_group, message_id, message_type, topic, kafka_partition, kafka_offset)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [
          this.options.group,
          envelope.id,
          envelope.type,
          subscription.contract.topic,
          partition,
          message.offset,
        ],
      );
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        return 'duplicate';
      }
      const key = message.key?.toString('utf8') ?? envelope.subject;
      await subscription.handle(value, {
        tx: client,
        envelope,
        key,
        logger: this.options.logger,
        publish: (out) => this.options.publisher.publish(client, { ...out, causedBy: envelope }),
      });
      await client.query('COMMIT');
      this.options.afterCommit?.();
      return 'ok';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      clearInterval(beat);
      client.release();
    }
  }

  private async forwardToRetry(
    message: KafkaMessage,
    state: FailureState,
    error: Classification,
  ): Promise<void> {
    const tier = state.tier + 1;
    const delay = this.retryDelaysMs[tier - 1] ?? 0;
    const now = new Date();
    await this.producer.send({
      topic: retryTopic(state.origin.topic, this.options.group, tier),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: failureHeaders(message.headers, state, this.options.group, error, now, {
            [X.retryTier]: String(tier),
            [X.notBefore]: String(now.getTime() + delay),
          }),
        },
      ],
    });
    messagingMetrics().retried({
      topic: state.origin.topic,
      group: this.options.group,
      tier: String(tier),
    });
    this.options.observer?.onRetry?.({ topic: state.origin.topic, tier });
  }

  private async forwardToDlq(
    message: KafkaMessage,
    state: FailureState,
    error: Classification,
  ): Promise<void> {
    await this.producer.send({
      topic: dlqTopic(state.origin.topic, this.options.group),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: failureHeaders(message.headers, state, this.options.group, error, new Date(), {
            [X.retryTier]: String(state.tier),
          }),
        },
      ],
    });
    messagingMetrics().deadLettered({
      topic: state.origin.topic,
      group: this.options.group,
      reason: error.code,
    });
    this.options.observer?.onDeadLetter?.({ topic: state.origin.topic, reason: error.code });
  }

  private async sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      await sleep(Math.min(1_000, deadline - Date.now()));
      await heartbeat().catch(() => undefined);
    }
  }
}
