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
import { assertFromEmitter, type MessageContract, type PayloadOf } from './contract.js';
import type { Queryable } from './db.js';
import { parseEnvelope, stringHeaders, CE, type Envelope } from './envelope.js';
import { classifyError, type Classification } from './errors.js';
import type { ExternalCall, ExternalCalls, RecordedCall } from './external-call.js';
import type { Logger } from './logger.js';
import type { OutboxRelay } from './outbox-relay.js';
import type { OutgoingMessage, OutboxRow, Publisher } from './publisher.js';
import {
  failureHeaders,
  failureState,
  withTrustedState,
  X,
  type FailureState,
  type RetryTier,
} from './retry-headers.js';
import { KeyQueue } from './runtime/key-queue.js';
import { MetricLabels } from './runtime/metric-labels.js';
import { RetryGate } from './runtime/retry-gate.js';
import { withTransaction } from './transaction.js';
import { PartitionOffsets } from './runtime/partition-offsets.js';
import type { AvroSerde } from './serde.js';

/**
 * The consumer path, decoupled from fetching. `eachBatch` only enqueues records and returns, so
 * kafkajs fetches on while records are processed:
 *
 * - Key-ordered parallelism: one key's records (the orderId) run one after another, different
 *   keys run concurrently, up to `concurrency` transactions at a time. A slow key holds only
 *   itself, never its partition.
 * - Batched transactions: records of distinct keys that are ready together run in one
 *   transaction (one multi-row inbox insert, a savepoint per record, one NOTIFY, one commit). A
 *   record that fails rolls back to its savepoint alone and takes the retry path alone.
 * - Offsets: committed every `commitIntervalMs` up to the lowest record not yet finished (the
 *   contiguous processed prefix). Whatever a crash re-delivers above it, the inbox makes harmless.
 * - Backpressure: a partition with `maxQueuedPerPartition` records unfinished is paused, and
 *   resumed when it drains.
 *
 * Errors: retryable ones get in-process backoff, then delayed retry topics (a tier that is not
 * due yet pauses only its partition), then the DLQ; non-retryable ones and records that cannot
 * be decoded go straight to the DLQ. A poison record never stops the consumer.
 *
 * Hostile records: failure headers count only on the group's own retry topics, and a tier's wait
 * never exceeds its delay (retry-headers.ts, runtime/retry-gate.ts); a type is taken only from
 * the emitters the manifest allows (FORBIDDEN_SOURCE); Avro is decoded within the value's own
 * bytes (AVRO_BOUNDS); metric labels come from closed sets (runtime/metric-labels.ts).
 */
export interface HandlerContext {
  readonly tx: Queryable;
  readonly envelope: Envelope;
  readonly key: string;
  readonly logger: Logger;
  /** Publishes through the outbox in this transaction, caused by the record being handled. */
  publish(message: Omit<OutgoingMessage, 'causedBy' | 'correlationId'>): Promise<Envelope>;
  /**
   * Records a slow call to the outside world, made after this transaction commits with nothing
   * held but this record's key; its `settle` records the result (see external-call.ts).
   */
  defer<I, R>(call: ExternalCall<I, R>, input: I): Promise<void>;
}

/** What a consumer does with one message type; `handle` gets the contract's payload type. */
export interface Subscription<T extends string = string> {
  readonly contract: MessageContract<T>;
  // A method, so a list of subscriptions of different types is a `Subscription[]`.
  handle(payload: PayloadOf<T>, ctx: HandlerContext): Promise<void>;
}

/** A subscription with its payload type inferred from the contract. */
export function subscribe<T extends string>(
  contract: MessageContract<T>,
  handle: (payload: PayloadOf<T>, ctx: HandlerContext) => Promise<void>,
): Subscription<T> {
  return { contract, handle };
}

export type Outcome = 'ok' | 'duplicate' | 'ignored' | 'retried' | 'dead_lettered';

export interface ConsumerObserver {
  onRecord?(e: { topic: string; type: string; outcome: Outcome; durationMs: number }): void;
  onDeadLetter?(e: { topic: string; reason: string }): void;
  onRetry?(e: { topic: string; tier: number }): void;
  /** The member (re)joined its group: once at start, again on every rebalance. */
  onGroupJoin?(e: { memberId: string }): void;
}

/** How the consumer spreads work; every field has a default tuned on the platform bench. */
export interface ConsumerTuning {
  /** Transactions in flight at once (each a group of records of distinct keys). */
  readonly concurrency?: number;
  /** Records in one transaction at most. */
  readonly maxBatch?: number;
  /** Unfinished records of one partition above which its fetching pauses. */
  readonly maxQueuedPerPartition?: number;
  /** How often the processed prefix is committed. */
  readonly commitIntervalMs?: number;
  /** How long `stop` waits for records in flight before leaving the group anyway. */
  readonly drainTimeoutMs?: number;
}

export interface ConsumerOptions extends ConsumerTuning {
  readonly kafka: Kafka;
  readonly pool: pg.Pool;
  readonly serde: AvroSerde;
  readonly publisher: Publisher;
  /** Rows committed by handlers go straight to it (no NOTIFY round trip). */
  readonly relay?: OutboxRelay;
  /** Where `ctx.defer` records and runs slow calls. */
  readonly externalCalls?: ExternalCalls;
  readonly group: string;
  readonly subscriptions: readonly Subscription[];
  readonly logger: Logger;
  readonly backoff?: BackoffPolicy;
  /**
   * Delay of each retry tier; the catalogue's tiers by default (their topics exist). Also the
   * longest a tier record waits, whatever its headers claim.
   */
  readonly retryDelaysMs?: readonly number[];
  readonly partitionsConsumedConcurrently?: number;
  readonly observer?: ConsumerObserver;
  readonly fromBeginning?: boolean;
  /** Broker-side limit for a silent member (10 s here, kafkajs's 30 s; the broker's minimum is 6 s). */
  readonly sessionTimeoutMs?: number;
  /**
   * Called after a handler's transaction committed, before its offset is resolved or committed:
   * the fault-injection hook (see fault-injection.ts). Unset in normal runs.
   */
  readonly afterCommit?: () => void;
}

/** A fetched record on its way through the consumer. */
interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly state: FailureState;
  /** The offsets of its partition in the generation that fetched it. */
  readonly offsets: PartitionOffsets;
  readonly fetchedAt: number;
}

/** One attempt at one record: what it did, or why it failed. */
type Attempt =
  | {
      readonly delivery: Delivery;
      readonly outcome: 'ok' | 'duplicate' | 'ignored';
      readonly type: string;
      readonly deferred: readonly RecordedCall[];
    }
  | { readonly delivery: Delivery; readonly error: unknown; readonly type: string };

/** A decoded record ready for its handler. */
interface Runnable {
  readonly delivery: Delivery;
  readonly envelope: Envelope;
  readonly subscription: Subscription;
  readonly value: unknown;
  rows: OutboxRow[];
  deferred: RecordedCall[];
  error?: unknown;
  duplicate?: boolean;
}

// The broker's floor (group.min.session.timeout.ms): see the consumer's options below.
const DEFAULT_SESSION_TIMEOUT_MS = 6_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A record whose writes were rolled back: nothing of it was committed, so nothing follows. */
function rolledBack(r: Runnable, error: unknown): void {
  r.error = error;
  r.duplicate = false;
  r.rows = [];
  r.deferred = [];
}

const INBOX_INSERT = `
  INSERT INTO inbox (consumer_group, message_id, message_type, topic, kafka_partition, kafka_offset)
  SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[])
  ON CONFLICT DO NOTHING
  RETURNING message_id`;

export class MessageConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly byType: Map<string, Subscription>;
  private readonly topics: string[];
  private readonly backoff: BackoffPolicy;
  private readonly retryDelaysMs: readonly number[];
  /** This group's retry topics: the only topics whose failure headers are believed. */
  private readonly retryTiers = new Map<string, RetryTier>();
  private readonly retryGate = new RetryGate();
  private readonly labels: MetricLabels;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly concurrency: number;
  private readonly maxBatch: number;
  private readonly maxQueuedPerPartition: number;
  private readonly commitIntervalMs: number;
  private readonly queue = new KeyQueue<Delivery>();
  /** Offsets per `topic:partition` of the current group generation. */
  private partitions = new Map<string, PartitionOffsets>();
  /** Partitions paused because too much of them is unfinished: their resume functions. */
  private readonly backpressured = new Map<string, () => void>();
  /** Every record started and not yet finished (its retries and slow calls included). */
  private readonly unfinished = new Set<Promise<void>>();
  private transactions = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: ConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.group,
      // A member killed without leaving holds its partitions, and blocks the join of its own
      // replacement, until this expires. Handlers never block the fetch loop that heartbeats
      // (every 2 s), so 6 s (kafkajs: 30 s), the broker's minimum, is safe and bounds a
      // restart's wait: kill → partitions served again in under 10 s.
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.min(
        3_000,
        Math.floor((options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS) / 3),
      ),
      // Our own loop decides retries; kafkajs restarting the consumer would only re-deliver.
      retry: { retries: 10 },
      readUncommitted: false,
    });
    this.producer = options.kafka.producer(PRODUCER_CONFIG);
    this.byType = new Map(options.subscriptions.map((s) => [s.contract.type, s]));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.retryDelaysMs = options.retryDelaysMs ?? RETRY_TIERS.map((t) => t.delayMs);
    for (const delay of this.retryDelaysMs) {
      // A timer above 2^31−1 ms fires after 1 ms: a tier's pause must stay below that.
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_TIMER_MS)
        throw new Error(`retry delay ${delay} ms: expected a whole number of 0 to ${MAX_TIMER_MS}`);
    }
    this.concurrency = options.concurrency ?? 4;
    this.maxBatch = options.maxBatch ?? 16;
    this.maxQueuedPerPartition = options.maxQueuedPerPartition ?? 500;
    this.commitIntervalMs = options.commitIntervalMs ?? 250;
    const sources = [...new Set(options.subscriptions.map((s) => s.contract.topic))];
    for (const originTopic of sources) {
      this.retryDelaysMs.forEach((delayMs, i) =>
        this.retryTiers.set(retryTopic(originTopic, options.group, i + 1), {
          originTopic,
          tier: i + 1,
          delayMs,
        }),
      );
    }
    this.topics = [...sources, ...this.retryTiers.keys()];
    this.labels = new MetricLabels({ types: this.byType.keys(), topics: sources });
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.onGenerationChange();
      this.options.observer?.onGroupJoin?.({ memberId: event.payload.memberId });
    });
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      // Offsets are ours to commit: kafkajs's resolved offset is only the fetch position here.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /**
   * Stops fetching, lets the records in flight finish (up to the drain timeout), commits the
   * processed prefix, leaves the group. Records not started are re-delivered to whoever is next.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    try {
      this.consumer.pause(this.topics.map((topic) => ({ topic })));
    } catch {
      // Never started (or already crashed): nothing is fetching.
    }
    this.queue.discard(() => true);
    const drained = Promise.allSettled([...this.unfinished]);
    await Promise.race([drained, sleep(this.options.drainTimeoutMs ?? 15_000)]);
    clearTimeout(this.commitTimer);
    await this.commit();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** Records fetched and not finished, for tests and metrics. */
  get backlog(): number {
    return this.queue.size + this.queue.inFlight;
  }

  private onGenerationChange(): void {
    // kafkajs fetches every assigned partition again from its committed offset: what was queued
    // and not started comes again. Records in flight finish; their keys stay busy until then,
    // so a re-delivered copy waits behind its original (and the inbox makes it a duplicate).
    this.queue.discard(() => true);
    this.partitions = new Map();
    this.retryGate.clear();
    for (const resume of this.backpressured.values()) resume();
    this.backpressured.clear();
  }

  /** Enqueues and returns at once, so kafkajs fetches on while the records are processed. */
  private eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const tp = `${topic}:${partition}`;
    let offsets = this.partitions.get(tp);
    if (!offsets) {
      offsets = new PartitionOffsets();
      this.partitions.set(tp, offsets);
    }
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.stopping) break;
      const tier = this.retryTiers.get(topic);
      const state = failureState(
        { topic, partition, offset: message.offset },
        message.headers,
        tier,
      );
      const wait = tier
        ? this.retryGate.waitMs(tp, message.offset, state.notBefore, tier.delayMs, Date.now())
        : 0;
      if (wait > 0) {
        // Not due yet: stop this partition only; the fetch comes back to this very record.
        const resume = payload.pause();
        const timer = setTimeout(() => {
          this.resumeTimers.delete(timer);
          resume();
        }, wait);
        this.resumeTimers.add(timer);
        break;
      }
      const headers = stringHeaders(message.headers);
      const delivery: Delivery = {
        topic,
        partition,
        message,
        // A keyless record keeps its partition's order.
        key: message.key?.toString('utf8') ?? headers[CE.subject] ?? `\0${tp}`,
        headers,
        state,
        offsets,
        fetchedAt: Date.now(),
      };
      offsets.add(message.offset);
      this.queue.push(delivery.key, delivery);
      payload.resolveOffset(message.offset);
    }
    if (offsets.inFlight >= this.maxQueuedPerPartition && !this.backpressured.has(tp)) {
      this.backpressured.set(tp, payload.pause());
    }
    this.pump();
    return Promise.resolve();
  }

  /** Starts transactions while there is room and records of idle keys are waiting. */
  private pump(): void {
    while (!this.stopping && this.transactions < this.concurrency && this.queue.size > 0) {
      const taken = this.queue.take(this.maxBatch);
      if (taken.length === 0) return;
      this.transactions += 1;
      void this.runGroup(taken.map((t) => t.item)).finally(() => {
        this.transactions -= 1;
        this.pump();
      });
    }
  }

  private async runGroup(group: readonly Delivery[]): Promise<void> {
    let attempts: Attempt[];
    try {
      attempts = await this.attemptOnce(group);
    } catch (error) {
      // attemptOnce reports failures per record; reaching here is a bug in this file.
      this.options.logger.error(
        { err: error },
        'consumer: a transaction group failed unexpectedly',
      );
      attempts = group.map((delivery) => ({ delivery, error, type: '(unknown)' }));
    }
    for (const attempt of attempts) {
      const rest =
        'error' in attempt
          ? this.retryAlone(attempt.delivery, attempt.error, attempt.type)
          : this.afterSuccess(attempt);
      let done = true;
      const tracked = rest
        .catch((error: unknown) => {
          // Neither handled nor forwarded (e.g. the DLQ send gave up): its offset must stay
          // uncommitted, or the record would be lost.
          done = false;
          this.options.logger.error(
            { err: error, topic: attempt.delivery.topic, offset: attempt.delivery.message.offset },
            'consumer: a record could not be finished; it will be re-delivered',
          );
        })
        .finally(() => {
          this.unfinished.delete(tracked);
          this.finish(attempt.delivery, done);
        });
      this.unfinished.add(tracked);
    }
  }

  /**
   * A record is over: its key's next record may start and, if it is `done`, its offset may be
   * committed. One that is not stays below the committed offset until a rebalance or restart
   * fetches it again.
   */
  private finish(delivery: Delivery, done: boolean): void {
    const tp = `${delivery.topic}:${delivery.partition}`;
    if (done) delivery.offsets.complete(delivery.message.offset);
    this.queue.release(delivery.key);
    const resume = this.backpressured.get(tp);
    if (resume && delivery.offsets.inFlight < this.maxQueuedPerPartition / 2) {
      this.backpressured.delete(tp);
      resume();
    }
    this.scheduleCommit();
    this.pump();
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commit();
    }, this.commitIntervalMs);
  }

  /** Commits each partition's processed prefix (never past an unfinished record). */
  private async commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    const trackers: [PartitionOffsets, string][] = [];
    for (const [tp, tracker] of this.partitions) {
      const offset = tracker.committable();
      if (offset === undefined) continue;
      const at = tp.lastIndexOf(':');
      offsets.push({ topic: tp.slice(0, at), partition: Number(tp.slice(at + 1)), offset });
      trackers.push([tracker, offset]);
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
      for (const [tracker, offset] of trackers) tracker.committed(offset);
    } catch (error) {
      // A rebalance: the partitions are someone else's now, or will be fetched from the last
      // commit again. Either way the inbox absorbs the re-delivery.
      this.options.logger.debug({ err: error }, 'consumer: offset commit failed');
    }
  }

  private async afterSuccess(attempt: Extract<Attempt, { outcome: unknown }>): Promise<void> {
    const calls = this.options.externalCalls;
    if (calls) for (const recorded of attempt.deferred) await calls.run(recorded);
    this.report(attempt.delivery, attempt.type, attempt.outcome);
  }

  /**
   * One transaction for a group of records of distinct keys: one inbox insert, a savepoint per
   * record when there are several, one commit. Never throws: each record gets its attempt.
   */
  private async attemptOnce(group: readonly Delivery[]): Promise<Attempt[]> {
    const attempts: Attempt[] = [];
    const runnable: Runnable[] = [];
    for (const delivery of group) {
      const type = delivery.headers[CE.type] ?? '(none)';
      try {
        const envelope = parseEnvelope(delivery.headers);
        const subscription = this.byType.get(envelope.type);
        if (!subscription) {
          attempts.push({ delivery, type, outcome: 'ignored', deferred: [] });
          continue;
        }
        // Before decoding: a forged source costs nothing and changes nothing.
        assertFromEmitter(subscription.contract, envelope.source);
        const { value } = await this.options.serde.decode(
          delivery.message.value,
          subscription.contract,
        );
        runnable.push({ delivery, envelope, subscription, value, rows: [], deferred: [] });
      } catch (error) {
        attempts.push({ delivery, type, error });
      }
    }
    if (runnable.length > 0) await this.transact(runnable);
    for (const r of runnable) {
      const type = r.envelope.type;
      if (r.error !== undefined) attempts.push({ delivery: r.delivery, type, error: r.error });
      else
        attempts.push({
          delivery: r.delivery,
          type,
          outcome: r.duplicate ? 'duplicate' : 'ok',
          deferred: r.deferred,
        });
    }
    return attempts;
  }

  private async transact(runnable: Runnable[]): Promise<void> {
    const { group } = this.options;
    const several = runnable.length > 1;
    try {
      await withTransaction(this.options.pool, async (client) => {
        const { rows } = await client.query<{ message_id: string }>(INBOX_INSERT, [
          group,
          runnable.map((r) => r.envelope.id),
          runnable.map((r) => r.envelope.type),
          runnable.map((r) => r.subscription.contract.topic),
          runnable.map((r) => r.delivery.partition),
          runnable.map((r) => r.delivery.message.offset),
        ]);
        const inserted = new Set(rows.map((row) => row.message_id));
        for (const [i, r] of runnable.entries()) {
          if (!inserted.has(r.envelope.id)) {
            r.duplicate = true;
            continue;
          }
          if (several) await client.query(`SAVEPOINT r${i}`);
          try {
            await this.handle(client, r);
          } catch (error) {
            // Alone, the record's failure is the transaction's; in a group, only its savepoint's.
            if (!several) throw error;
            await client.query(`ROLLBACK TO SAVEPOINT r${i}`);
            await client.query('DELETE FROM inbox WHERE consumer_group = $1 AND message_id = $2', [
              group,
              r.envelope.id,
            ]);
            rolledBack(r, error);
          }
        }
      });
    } catch (error) {
      for (const r of runnable) rolledBack(r, error);
      return;
    }
    this.options.afterCommit?.();
    this.options.relay?.handOff(runnable.flatMap((r) => r.rows));
  }

  /** Runs one record's handler in the group's transaction, inside its own span and log context. */
  private handle(client: pg.PoolClient, r: Runnable): Promise<void> {
    const { delivery, envelope, subscription } = r;
    const { group, publisher, relay, externalCalls } = this.options;
    return withSpan(
      `process ${delivery.state.origin.topic}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(delivery.headers),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': delivery.topic,
          'messaging.destination.partition.id': String(delivery.partition),
          'messaging.kafka.offset': Number(delivery.message.offset),
          'messaging.consumer.group.name': group,
          'messaging.message.id': envelope.id,
          'cloudevents.event_type': envelope.type,
        },
      },
      () =>
        withLogContext(
          {
            correlationId: envelope.correlationId,
            messageId: envelope.id,
            causationId: envelope.causationId,
          },
          () =>
            subscription.handle(r.value, {
              tx: client,
              envelope,
              key: delivery.key,
              logger: this.options.logger,
              publish: async (out) => {
                const inserted = await publisher.insert(
                  client,
                  { ...out, causedBy: envelope },
                  relay?.writer ?? '',
                );
                r.rows.push(inserted.row);
                return inserted.envelope;
              },
              defer: async (call, input) => {
                if (!externalCalls)
                  throw new Error('ctx.defer needs the consumer to be built by Messaging');
                r.deferred.push(
                  await externalCalls.record(client, call, input, {
                    group,
                    topic: delivery.state.origin.topic,
                    partition: delivery.state.origin.partition,
                    offset: delivery.state.origin.offset,
                    key: delivery.key,
                    value: delivery.message.value,
                    headers: withTrustedState(delivery.headers, delivery.state),
                  }),
                );
              },
            }),
        ),
    );
  }

  /**
   * A record that failed in its group: in-process retries alone (its key waits, nothing else),
   * then a retry tier or the DLQ.
   */
  private async retryAlone(delivery: Delivery, firstError: unknown, type: string): Promise<void> {
    let error = firstError;
    let attempts = delivery.state.attempts + 1;
    for (let inProcess = 1; ; inProcess += 1) {
      const classification = classifyError(error);
      if (!classification.retryable || inProcess >= this.backoff.attempts || this.stopping) {
        const next = { ...delivery.state, attempts };
        if (classification.retryable && delivery.state.tier < this.retryDelaysMs.length) {
          await this.untilSent(() => this.forwardToRetry(delivery.message, next, classification));
          this.report(delivery, type, 'retried', classification);
        } else {
          await this.untilSent(() => this.forwardToDlq(delivery.message, next, classification));
          this.report(delivery, type, 'dead_lettered', classification);
        }
        return;
      }
      await sleep(backoffDelay(this.backoff, inProcess));
      attempts += 1;
      const [attempt] = await this.attemptOnce([delivery]);
      if (attempt && !('error' in attempt)) return this.afterSuccess(attempt);
      error = attempt?.error;
    }
  }

  /**
   * A forward that fails (the broker is away longer than kafkajs's own retries) is tried again
   * with backoff while the consumer runs: the record's key and its partition's commit wait, and
   * nothing is lost. Stopping gives up; the record is then re-delivered after the restart.
   */
  private async untilSent(send: () => Promise<void>): Promise<void> {
    for (let failures = 1; ; failures += 1) {
      try {
        return await send();
      } catch (error) {
        if (this.stopping) throw error;
        const delay = backoffDelay({ attempts: Infinity, baseMs: 500, maxMs: 10_000 }, failures);
        this.options.logger.warn(
          { err: error, failures, retryInMs: delay },
          'consumer: forwarding a failed record to its retry tier or DLQ failed, will retry',
        );
        await sleep(delay);
      }
    }
  }

  private report(
    delivery: Delivery,
    type: string,
    outcome: Outcome,
    classification?: Classification,
  ): void {
    const { group } = this.options;
    // Labels (and what observers see) from closed sets; the log line keeps what the record said.
    const labels = {
      topic: this.labels.topic(delivery.state.origin.topic),
      type: this.labels.type(type),
      group,
    };
    const durationMs = Date.now() - delivery.fetchedAt;
    const metrics = messagingMetrics();
    metrics.consumed({ ...labels, outcome });
    metrics.handlerDuration(labels, durationMs / 1000);
    if (outcome === 'duplicate') metrics.inboxDuplicate({ group });
    this.options.observer?.onRecord?.({
      topic: labels.topic,
      type: labels.type,
      outcome,
      durationMs,
    });
    if (outcome === 'dead_lettered' || outcome === 'retried') {
      this.options.logger.warn(
        {
          topic: delivery.topic,
          originTopic: delivery.state.origin.topic,
          offset: delivery.message.offset,
          type: type.slice(0, 200),
          outcome,
          error: classification,
        },
        `record ${outcome === 'retried' ? 'sent to a retry tier' : 'dead-lettered'}`,
      );
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
      topic: this.labels.topic(state.origin.topic),
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
      topic: this.labels.topic(state.origin.topic),
      group: this.options.group,
      reason: error.code,
    });
    this.options.observer?.onDeadLetter?.({ topic: state.origin.topic, reason: error.code });
  }
}
