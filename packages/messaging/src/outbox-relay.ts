import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_CONFIG } from './kafka.js';
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { messagingMetrics } from '@orderflow/telemetry';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { Logger } from './logger.js';
import { OUTBOX_CHANNEL, type OutboxRow } from './publisher.js';

/**
 * Publishes outbox rows to Kafka in `seq` order (so one key's records keep their order) with
 * acks=all and an idempotent producer, then marks them published. Rows this process committed
 * are handed over straight after their commit (`handOff`): sent in batches with no NOTIFY round
 * trip and no re-query. Other writers' rows wake it by NOTIFY, polling is the fallback. Through a broker outage it retries the same bounded batch with backoff:
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
  /** Rows handed over after their commit, not yet sent. */
  private handed: OutboxRow[] = [];
  /** Seqs sent lately, so a poll and a hand-off that raced never send a row twice in a row. */
  private readonly recentlySent = new Set<string>();
  /** Holds the lock and has published everything older than what it is handed. */
  private caughtUp = false;
  /** The NOTIFY payload of this process's own hand-offs (see Publisher.insert). */
  readonly writer = `relay-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

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

  /**
   * Rows this process just committed. Sent by the next batch when this relay is the active one
   * and has no backlog older than them; otherwise dropped here, since a poll will find them.
   */
  handOff(rows: readonly OutboxRow[]): void {
    if (rows.length === 0 || !this.caughtUp) return;
    this.handed.push(...rows);
    this.wake?.();
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
    let poll = true;
    while (this.running) {
      try {
        if (!this.listener) {
          await this.listen();
          poll = true;
        }
        if (this.handed.length > 0) await this.publishHanded();
        if (poll) {
          const sent = await this.publishBatch();
          // A full batch: there may be more. Hand-offs wait until the backlog is gone, so they
          // never overtake an older row of the same key.
          if (sent >= this.batchSize) continue;
          this.caughtUp = true;
          await this.reportBacklog();
          await this.cleanup();
        }
        failures = 0;
        // A short batch took all there was: rows committed since then sent a NOTIFY or were
        // handed over, either of which ends the idle wait at once (or, were both lost, the poll).
        poll = await this.idle();
      } catch (error) {
        failures += 1;
        this.caughtUp = false;
        this.handed = [];
        poll = true;
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
        this.notified = false; // the retry polls anyway; a NOTIFY must not cut the backoff short
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
      this.notified = false;
      await this.interruptibleSleep(this.pollIntervalMs);
    }
    client.on('notification', (message) => {
      // Our own hand-offs' NOTIFY needs no query: the rows are in `handed` already.
      if (message.payload === this.writer && this.caughtUp) return;
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
      this.caughtUp = false;
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
      `SELECT seq::text AS seq, topic, message_key, value, headers, message_type FROM outbox
        WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
      [this.batchSize],
    );
    await this.send(rows);
    return rows.length;
  }

  /** Sends what was handed over, in batches, through the same one-at-a-time chain. */
  private async publishHanded(): Promise<void> {
    while (this.handed.length > 0 && this.running) {
      const rows = this.handed.splice(0, this.batchSize);
      const next = this.batchInFlight
        .catch(() => 0)
        .then(async () => {
          await this.send(rows.filter((row) => !this.recentlySent.has(row.seq)));
          return rows.length;
        });
      this.batchInFlight = next;
      await next;
    }
  }

  private async send(rows: readonly OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
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
    for (const row of rows) this.recentlySent.add(row.seq);
    // Bounded: only a race between a poll and a hand-off a moment apart needs it.
    for (const seq of this.recentlySent) {
      if (this.recentlySent.size <= 4 * this.batchSize) break;
      this.recentlySent.delete(seq);
    }
    const metrics = messagingMetrics();
    for (const row of rows) metrics.produced({ topic: row.topic, type: row.message_type });
    this.options.onPublished?.(rows.map((r) => ({ topic: r.topic, type: r.message_type })));
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

  /**
   * Waits for work: returns true when the outbox should be queried (another writer's NOTIFY, or
   * the poll interval passed), false when only handed-over rows are waiting.
   */
  private async idle(): Promise<boolean> {
    if (this.handed.length > 0 && !this.notified) return false;
    await this.interruptibleSleep(this.pollIntervalMs);
    const handedOnly = this.handed.length > 0 && !this.notified && this.running;
    this.notified = false;
    return !handedOnly;
  }

  /** Sleeps unless a NOTIFY arrived meanwhile (even during the last batch): then returns at once. */
  private async interruptibleSleep(ms: number): Promise<void> {
    if (this.notified || !this.running) return;
    const controller = new AbortController();
    this.wake = () => controller.abort();
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    this.wake = undefined;
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
