import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { dlqTopic } from '@orderflow/contracts';
import {
  extractTraceContext,
  messagingMetrics,
  SpanKind,
  withLogContext,
  withSpan,
} from '@orderflow/telemetry';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { Queryable } from './db.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import { classifyError, MessagingError, type Classification } from './errors.js';
import type { Logger } from './logger.js';
import type { OutboxRelay } from './outbox-relay.js';
import type { OutgoingMessage, OutboxRow, Publisher } from './publisher.js';
import { failureHeaders, storedFailureState, X } from './retry-headers.js';
import { withTransaction } from './transaction.js';

/**
 * Slow calls to the outside world (a payment gateway), kept out of every transaction and off
 * every partition, in the shape workflow engines give activities:
 *
 *   1. the handler records the intent (`ctx.defer`) in its own transaction, beside its inbox row;
 *   2. after that commit the call runs with no transaction held, under a per-attempt timeout and
 *      a retry policy (the same input each time: the callee dedupes by its idempotency key);
 *   3. `settle` records the result and publishes the replies through the outbox, in a second
 *      transaction that also marks the intent settled (once, whoever gets there first).
 *
 * Only the record's key waits meanwhile; other keys and partitions go on. A call that finally
 * fails undoes the record's acceptance (its inbox row) and dead-letters that very record, so a
 * DLQ replay runs it again. A restart resumes every intent whose lease ran out.
 */
export interface ExternalCall<I, R> {
  /** Unique within the service, e.g. `payment.charge`. */
  readonly name: string;
  /** Per attempt; keep it well under the deadline of whoever waits for the reply. */
  readonly timeoutMs: number;
  /** Attempts (the first included) and backoff between them, for retryable failures. */
  readonly retry: BackoffPolicy;
  /** The call itself. Throw an error with `retryable: true` to be retried. */
  call(input: I, signal: AbortSignal): Promise<R>;
  /** Records the result and publishes replies, in one transaction. */
  settle(result: R, input: I, ctx: SettleContext): Promise<void>;
}

export interface SettleContext {
  readonly tx: Queryable;
  readonly key: string;
  /** The envelope of the record that asked for the call. */
  readonly envelope: Envelope;
  readonly logger: Logger;
  publish(message: Omit<OutgoingMessage, 'causedBy' | 'correlationId'>): Promise<Envelope>;
}

/** The record that asked for a call: where it came from and its bytes, to dead-letter it. */
export interface CallOrigin {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

export interface RecordedCall {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly origin: CallOrigin;
}

export type CallResult = 'settled' | 'settled-elsewhere' | 'dead_lettered';

export interface ExternalCallsOptions {
  readonly pool: pg.Pool;
  readonly publisher: Publisher;
  readonly relay: OutboxRelay;
  readonly logger: Logger;
  /** How often to look for intents whose lease ran out (their process died). */
  readonly recoverEveryMs?: number;
}

const LEASE_MARGIN_MS = 2_000;

const INSERT = `INSERT INTO external_calls (id, name, message_key, input, consumer_group, origin_topic,
  origin_partition, origin_offset, message_id, value, headers, lease_until)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + $12::int * interval '1 millisecond')`;

const CLAIM_EXPIRED = `UPDATE external_calls SET lease_until = now() + $2::int * interval '1 millisecond'
  WHERE id IN (SELECT id FROM external_calls
               WHERE settled_at IS NULL AND lease_until < now() AND name = ANY($3::text[])
               ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, name, input, message_key, consumer_group, origin_topic, origin_partition,
            origin_offset::text AS origin_offset, value, headers`;

interface CallRow {
  id: string;
  name: string;
  input: unknown;
  message_key: string;
  consumer_group: string;
  origin_topic: string;
  origin_partition: number;
  origin_offset: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

export class ExternalCalls {
  // The registry holds calls of many input/result types; each is only ever given its own.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly calls = new Map<string, ExternalCall<any, any>>();
  private readonly running = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ExternalCallsOptions) {}

  register<I, R>(call: ExternalCall<I, R>): void {
    const known = this.calls.get(call.name);
    if (known && known !== call) throw new Error(`two external calls are named ${call.name}`);
    this.calls.set(call.name, call);
  }

  /** Records the intent in the caller's transaction; `run` makes the call after it commits. */
  async record<I>(
    tx: Queryable,
    call: ExternalCall<I, unknown>,
    input: I,
    origin: CallOrigin,
  ): Promise<RecordedCall> {
    this.register(call);
    const id = randomUUID();
    await tx.query(INSERT, [
      id,
      call.name,
      origin.key,
      JSON.stringify(input),
      origin.group,
      origin.topic,
      origin.partition,
      origin.offset,
      origin.headers['ce_id'] ?? '',
      origin.value,
      JSON.stringify(origin.headers),
      leaseMs(call, 1),
    ]);
    return { id, name: call.name, input, origin };
  }

  /** Makes the call (with retries), then settles it or dead-letters the record that asked. */
  async run(recorded: RecordedCall): Promise<CallResult> {
    const work = this.attempt(recorded);
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  /** Resumes, now and every few seconds, the intents whose process died before settling them. */
  start(): void {
    const every = this.options.recoverEveryMs ?? 5_000;
    const tick = async () => {
      await this.recover().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'external calls: recovery failed'),
      );
      if (!this.stopped) this.timer = setTimeout(() => void tick(), every);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops recovering and waits (bounded) for calls in flight; the rest resume after a restart. */
  async stop(drainMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.race([Promise.allSettled([...this.running]), sleep(drainMs)]);
  }

  /** Claims and runs the unsettled intents whose lease ran out; returns how many. */
  async recover(limit = 50): Promise<number> {
    if (this.calls.size === 0) return 0;
    const lease = Math.max(...[...this.calls.values()].map((c) => leaseMs(c, 1)));
    // Only calls this process can make: another service version's intents stay for their owner.
    const { rows } = await this.options.pool.query<CallRow>(CLAIM_EXPIRED, [
      limit,
      lease,
      [...this.calls.keys()],
    ]);
    for (const row of rows) {
      this.options.logger.info({ call: row.name, id: row.id }, 'external call resumed');
      void this.run({
        id: row.id,
        name: row.name,
        input: row.input,
        origin: {
          group: row.consumer_group,
          topic: row.origin_topic,
          partition: row.origin_partition,
          offset: row.origin_offset,
          key: row.message_key,
          value: row.value,
          headers: row.headers,
        },
      }).catch((error: unknown) =>
        this.options.logger.error({ err: error, id: row.id }, 'resumed external call failed'),
      );
    }
    return rows.length;
  }

  private async attempt(recorded: RecordedCall): Promise<CallResult> {
    const call = this.calls.get(recorded.name);
    if (!call) throw new Error(`no external call named ${recorded.name} is registered`);
    const envelope = parseEnvelope(recorded.origin.headers);
    return withSpan(
      `call ${call.name}`,
      {
        kind: SpanKind.CLIENT,
        parent: extractTraceContext(recorded.origin.headers),
        attributes: { 'orderflow.external_call': call.name, 'messaging.message.id': envelope.id },
      },
      () =>
        withLogContext(
          {
            correlationId: envelope.correlationId,
            messageId: envelope.id,
            causationId: envelope.causationId,
          },
          async () => {
            let failure: Classification | undefined;
            for (let attempt = 1; attempt <= call.retry.attempts; attempt += 1) {
              if (attempt > 1) await this.renewLease(recorded.id, call, attempt);
              try {
                const result: unknown = await callWithTimeout(call, recorded.input);
                return this.settle(recorded, call, envelope, result);
              } catch (error) {
                failure = classifyError(error);
                this.options.logger.warn(
                  { call: call.name, attempt, error: failure },
                  `external call failed${failure.retryable ? ', will retry' : ''}`,
                );
                if (!failure.retryable || attempt >= call.retry.attempts) break;
                await sleep(backoffDelay(call.retry, attempt));
              }
            }
            return this.deadLetter(recorded, envelope, failure!, call.retry.attempts);
          },
        ),
    );
  }

  private async renewLease(id: string, call: ExternalCall<unknown, unknown>, attempt: number) {
    await this.options.pool.query(
      `UPDATE external_calls SET attempts = $2, lease_until = now() + $3::int * interval '1 millisecond'
        WHERE id = $1 AND settled_at IS NULL`,
      [id, attempt, leaseMs(call, attempt)],
    );
  }

  private async settle(
    recorded: RecordedCall,
    call: ExternalCall<unknown, unknown>,
    envelope: Envelope,
    result: unknown,
  ): Promise<CallResult> {
    const rows: OutboxRow[] = [];
    const { publisher, relay, logger } = this.options;
    const settled = await withTransaction(this.options.pool, async (tx) => {
      if (!(await this.markSettled(tx, recorded.id, 'ok'))) return false;
      await call.settle(result, recorded.input, {
        tx,
        key: recorded.origin.key,
        envelope,
        logger,
        publish: async (out) => {
          const inserted = await publisher.insert(tx, { ...out, causedBy: envelope }, relay.writer);
          rows.push(inserted.row);
          return inserted.envelope;
        },
      });
      return true;
    });
    if (!settled) return 'settled-elsewhere';
    relay.handOff(rows);
    return 'settled';
  }

  /** Undoes the record's acceptance and sends that record to the DLQ, in one transaction. */
  private async deadLetter(
    recorded: RecordedCall,
    envelope: Envelope,
    error: Classification,
    attempts: number,
  ): Promise<CallResult> {
    const { origin } = recorded;
    // The consumer stored the failure state it believed with the headers (withTrustedState).
    const state = storedFailureState(
      { topic: origin.topic, partition: origin.partition, offset: origin.offset },
      origin.headers,
    );
    const headers = failureHeaders(
      origin.headers,
      { ...state, attempts: state.attempts + attempts },
      origin.group,
      error,
      new Date(),
      { [X.retryTier]: String(state.tier) },
    );
    const topic = dlqTopic(state.origin.topic, origin.group);
    const done = await withTransaction(this.options.pool, async (tx) => {
      if (!(await this.markSettled(tx, recorded.id, `failed: ${error.code}`))) return false;
      await tx.query('DELETE FROM inbox WHERE consumer_group = $1 AND message_id = $2', [
        origin.group,
        envelope.id,
      ]);
      await tx.query(
        `INSERT INTO outbox (message_id, message_type, topic, message_key, value, headers)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [randomUUID(), envelope.type, topic, origin.key, origin.value, JSON.stringify(headers)],
      );
      return true;
    });
    if (!done) return 'settled-elsewhere';
    messagingMetrics().deadLettered({
      topic: state.origin.topic,
      group: origin.group,
      reason: error.code,
    });
    this.options.logger.warn(
      { call: recorded.name, error, dlq: topic },
      'external call failed for good: its record is dead-lettered',
    );
    return 'dead_lettered';
  }

  private async markSettled(tx: Queryable, id: string, outcome: string): Promise<boolean> {
    const { rowCount } = await tx.query(
      'UPDATE external_calls SET settled_at = now(), outcome = $2 WHERE id = $1 AND settled_at IS NULL',
      [id, outcome],
    );
    return rowCount === 1;
  }
}

/** How long an attempt may take before another process may take the call over. */
function leaseMs(call: ExternalCall<unknown, unknown>, attempt: number): number {
  const backoffCeiling = Math.min(call.retry.maxMs, call.retry.baseMs * 2 ** (attempt - 1));
  return call.timeoutMs + backoffCeiling + LEASE_MARGIN_MS;
}

async function callWithTimeout<I, R>(call: ExternalCall<I, R>, input: I): Promise<R> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new MessagingError(
        'CALL_TIMEOUT',
        `${call.name} did not answer within ${call.timeoutMs} ms`,
      );
      // Rejected before the abort: a call that honours its signal rejects at once, and the race
      // must report the timeout, not whatever error the call gives up with.
      reject(error);
      controller.abort(error);
    }, call.timeoutMs);
  });
  try {
    return await Promise.race([call.call(input, controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The name of an unsettled intent for `key` among `names` (e.g. a charge still in flight), if any. */
export async function unsettledCall(
  tx: Queryable,
  names: readonly string[],
  key: string,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT name FROM external_calls
      WHERE name = ANY($1::text[]) AND message_key = $2 AND settled_at IS NULL LIMIT 1`,
    [names, key],
  );
  return rows[0]?.name;
}
