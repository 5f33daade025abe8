import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_CONFIG } from './kafka.js';
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { messagingMetrics } from '@orderflow/telemetry';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { Logger } from './logger.js';
import { OUTBOX_CHANNEL } from './publisher.js';

/**
 * Publishes outbox rows to Kafka in `seq` order (so one key's records keep their order) with
 * acks=all and an idempotent producer, then marks them published. Woken by NOTIFY on commit,
 * polling as a fallback. Through a broker outage it retries the same bounded batch with backoff:
 * nothing is lost and memory stays flat. Delivery is at least once; the consumers' inbox makes
 * a resend harmless. One relay per database holds an advisory lock; others stand by.
 */
export interface RelayOptions {
  /** For the backlog metrics. */
  readonly service: string;
  readonly pool: pg.Pool;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Published rows older than this are deleted (the outbox is a queue, not an archive). */
  readonly retainPublishedMs?: number;
  readonly onPublished?: (rows: readonly { topic: string; type: string }[]) => void;
  /** A send that has not completed by then counts as failed and its producer is replaced. */
  readonly sendTimeoutMs?: number;
}

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  value: Buffer;
  headers: Record<string, string>;
  message_type: string;
}

const RELAY_LOCK = 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked';

export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: BackoffPolicy;
  private producer: Producer | undefined;
  private listener: pg.Client | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private notified = false;
  private loop: Promise<void> | undefined;
  private lastCleanup = 0;
  private lastBacklogReport = 0;
  private batchInFlight: Promise<number> = Promise.resolve(0);
  private readonly sendTimeoutMs: number;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.backoff = options.backoff ?? { attempts: Infinity, baseMs: 100, maxMs: 5_000 };
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connectedProducer();
    this.loop = this.run();
  }

  /** Stops after the batch in flight; rows not yet sent stay in the outbox for the next start. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    await this.discardProducer();
  }

  /** Publishes everything committed so far (used at shutdown and by tests). */
  async flush(): Promise<void> {
    while ((await this.publishBatch()) > 0);
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.options.kafka.producer(PRODUCER_CONFIG);
      await withTimeout(producer.connect(), this.sendTimeoutMs, 'connecting the outbox producer');
      this.producer = producer;
    }
    return this.producer;
  }

  /**
   * A kafkajs producer can wedge after its broker restarts (a send that never settles); a fresh
   * producer after any failure is the reliable way back.
   */
  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.listener) await this.listen();
        const sent = await this.publishBatch();
        failures = 0;
        // A short batch took all there was: rows committed since then sent a NOTIFY, which ends
        // the idle wait at once (or, were it lost, the poll does). No re-query to find nothing.
        if (sent < this.batchSize) {
          await this.reportBacklog();
          await this.cleanup();
          await this.idle();
        }
      } catch (error) {
        failures += 1;
        const delay = backoffDelay(
          this.backoff,
          Math.min(failures, 10),
          () => 0.5 + Math.random() / 2,
        );
        this.options.logger.warn(
          { err: error, failures, retryInMs: delay },
          'outbox relay: publish failed, will retry',
        );
        await this.discardProducer();
        await this.resetListenerIfBroken();
        await this.interruptibleSleep(delay);
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.options.pool.options);
    client.on('error', () => undefined);
    await client.connect();
    // Stand by while another relay of the same service holds the lock.
    while (
      this.running &&
      !(await client.query<{ locked: boolean }>(RELAY_LOCK, ['outbox-relay'])).rows[0]?.locked
    ) {
      await this.interruptibleSleep(this.pollIntervalMs);
    }
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  private async resetListenerIfBroken(): Promise<void> {
    if (!this.listener) return;
    try {
      await this.listener.query('SELECT 1');
    } catch {
      await this.listener.end().catch(() => undefined);
      this.listener = undefined;
    }
  }

  /** One batch at a time, whether from the loop or a flush, so rows are never sent twice at once. */
  private publishBatch(): Promise<number> {
    const next = this.batchInFlight.catch(() => 0).then(() => this.sendNextBatch());
    this.batchInFlight = next;
    return next;
  }

  private async sendNextBatch(): Promise<number> {
    const { rows } = await this.options.pool.query<OutboxRow>(
      `SELECT seq, topic, message_key, value, headers, message_type FROM outbox
        WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const byTopic = new Map<
      string,
      { key: string; value: Buffer; headers: Record<string, string> }[]
    >();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({ key: row.message_key, value: row.value, headers: row.headers });
      byTopic.set(row.topic, list);
    }
    const producer = await this.connectedProducer();
    await withTimeout(
      producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }),
      this.sendTimeoutMs,
      `publishing ${rows.length} outbox rows`,
    );
    await this.options.pool.query(
      'UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])',
      [rows.map((r) => r.seq)],
    );
    const metrics = messagingMetrics();
    for (const row of rows) metrics.produced({ topic: row.topic, type: row.message_type });
    this.options.onPublished?.(rows.map((r) => ({ topic: r.topic, type: r.message_type })));
    return rows.length;
  }

  /** At most once a second: a scrape every few seconds needs no fresher figure. */
  private async reportBacklog(): Promise<void> {
    if (Date.now() - this.lastBacklogReport < 1_000) return;
    this.lastBacklogReport = Date.now();
    const { count, oldestAgeSeconds } = await outboxBacklog(this.options.pool);
    const metrics = messagingMetrics();
    metrics.outboxBacklog(this.options.service, count);
    metrics.outboxOldestAge(this.options.service, oldestAgeSeconds);
  }

  private async cleanup(): Promise<void> {
    const retain = this.options.retainPublishedMs ?? 60 * 60 * 1000;
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.options.pool.query(
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - $1::int * interval '1 millisecond'`,
      [retain],
    );
  }

  private idle(): Promise<void> {
    return this.interruptibleSleep(this.pollIntervalMs);
  }

  /** Sleeps unless a NOTIFY arrived meanwhile (even during the last batch): then returns at once. */
  private async interruptibleSleep(ms: number): Promise<void> {
    if (this.notified || !this.running) {
      this.notified = false;
      return;
    }
    const controller = new AbortController();
    this.wake = () => controller.abort();
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    this.wake = undefined;
    this.notified = false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Outbox size and the age of its oldest unpublished row, for metrics and health. */
export async function outboxBacklog(
  pool: pg.Pool,
): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = await pool.query<{ count: string; age: number | null }>(
    `SELECT count(*) AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age
       FROM outbox WHERE published_at IS NULL`,
  );
  return { count: Number(rows[0]?.count ?? 0), oldestAgeSeconds: rows[0]?.age ?? 0 };
}
