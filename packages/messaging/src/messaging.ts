import { writeSync } from 'node:fs';
import type pg from 'pg';
import {
  MessageConsumer,
  type ConsumerObserver,
  type ConsumerTuning,
  type Subscription,
} from './consumer.js';
import { exportConsumerLag } from './consumer-lag.js';
import { ExternalCalls } from './external-call.js';
import type { BackoffPolicy } from './backoff.js';
import {
  KILL_AFTER_COMMIT_ENV,
  killAfterCommitHook,
  type KillAfterCommit,
} from './fault-injection.js';
import { describeBroker, type BrokerInfo } from './admin.js';
import { createKafka } from './kafka.js';
import { PLAINTEXT, type KafkaSecurity } from './kafka-security.js';
import type { Logger } from './logger.js';
import { OutboxRelay } from './outbox-relay.js';
import { Publisher } from './publisher.js';
import { AvroSerde } from './serde.js';
import { StormGuard, type StormGuardOptions } from './storm-guard.js';

/**
 * Everything a service needs for Kafka, wired once: publisher (→ outbox), relay (outbox → Kafka)
 * and consumers (Kafka → inbox + handler). `stop()` shuts down in the safe order.
 */
export interface MessagingOptions {
  readonly service: string;
  readonly brokers: readonly string[];
  /** SASL/TLS settings of this service's principal (default none: a plaintext broker). */
  readonly security?: KafkaSecurity;
  readonly registryUrl: string;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly autoRegisterSchemas?: boolean;
  readonly stormGuard?: Partial<Pick<StormGuardOptions, 'ratePerSecond' | 'burst' | 'maxDepth'>>;
  readonly relay?: { readonly pollIntervalMs?: number; readonly batchSize?: number };
  /** Defaults for every consumer of this service (a consumer's own spec overrides them). */
  readonly consumerTuning?: ConsumerTuning;
  /** Fault injection for reliability suites; never set in production (see fault-injection.ts). */
  readonly faults?: { readonly killAfterCommit?: KillAfterCommit };
}

export interface ConsumerSpec extends ConsumerTuning {
  readonly group?: string;
  readonly subscriptions: readonly Subscription[];
  readonly backoff?: BackoffPolicy;
  readonly retryDelaysMs?: readonly number[];
  readonly observer?: ConsumerObserver;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
}

export const DEFAULT_STORM_GUARD = { ratePerSecond: 1_000, burst: 2_000, maxDepth: 16 } as const;

export class Messaging {
  readonly serde: AvroSerde;
  readonly publisher: Publisher;
  readonly relay: OutboxRelay;
  readonly stormGuard: StormGuard;
  /** Slow calls deferred by handlers (ctx.defer), and their recovery after a restart. */
  readonly externalCalls: ExternalCalls;
  private readonly consumers: MessageConsumer[] = [];
  private readonly groups: string[] = [];
  private stopLagExport: (() => Promise<void>) | undefined;
  private readonly kafka;
  private readonly afterCommit: (() => void) | undefined;

  constructor(private readonly options: MessagingOptions) {
    this.kafka = createKafka({
      brokers: options.brokers,
      clientId: options.service,
      logger: options.logger,
      security: options.security,
    });
    this.serde = new AvroSerde({
      registryUrl: options.registryUrl,
      autoRegister: options.autoRegisterSchemas,
    });
    this.stormGuard = new StormGuard({ ...DEFAULT_STORM_GUARD, ...options.stormGuard });
    this.publisher = new Publisher({
      service: options.service,
      serde: this.serde,
      stormGuard: this.stormGuard,
    });
    this.relay = new OutboxRelay({
      service: options.service,
      pool: options.pool,
      kafka: this.kafka,
      logger: options.logger,
      ...options.relay,
    });
    this.externalCalls = new ExternalCalls({
      pool: options.pool,
      publisher: this.publisher,
      relay: this.relay,
      logger: options.logger,
    });
    const killAfterCommit = options.faults?.killAfterCommit;
    if (killAfterCommit) {
      this.afterCommit = killAfterCommitHook(killAfterCommit, {
        kill: () => {
          // Written synchronously: the logger buffers, and SIGKILL would drop its last line, the
          // one a chaos suite reads to tell this death from any other.
          const line = {
            level: 'fatal',
            time: new Date().toISOString(),
            service: options.service,
            pid: process.pid,
            fault: KILL_AFTER_COMMIT_ENV,
            msg: 'fault injection: SIGKILL after a handler commit, before its offset commit',
          };
          writeSync(process.stderr.fd, `${JSON.stringify(line)}\n`);
          process.kill(process.pid, 'SIGKILL');
        },
      });
      options.logger.warn(
        { killAfterCommit },
        'fault injection armed: this process SIGKILLs itself after a handler commit',
      );
    }
  }

  /** One metadata round-trip as this service's principal (readiness probes). */
  describeBroker(): Promise<BrokerInfo> {
    return describeBroker(this.options.brokers, this.options.security ?? PLAINTEXT);
  }

  consumer(spec: ConsumerSpec): MessageConsumer {
    const group = spec.group ?? this.options.service;
    const consumer = new MessageConsumer({
      kafka: this.kafka,
      pool: this.options.pool,
      serde: this.serde,
      publisher: this.publisher,
      relay: this.relay,
      externalCalls: this.externalCalls,
      group,
      logger: this.options.logger,
      afterCommit: this.afterCommit,
      ...this.options.consumerTuning,
      ...spec,
    });
    this.consumers.push(consumer);
    this.groups.push(group);
    return consumer;
  }

  async start(): Promise<void> {
    await this.relay.start();
    this.externalCalls.start();
    for (const consumer of this.consumers) await consumer.start();
    if (this.groups.length > 0)
      this.stopLagExport ??= exportConsumerLag(this.kafka, () => this.groups);
  }

  /** Stop consuming (in-flight work finishes, offsets commit), then flush and stop the relay. */
  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.stopLagExport?.();
    this.stopLagExport = undefined;
    await this.externalCalls.stop();
    await this.relay
      .flush()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'outbox flush at shutdown failed'),
      );
    await this.relay.stop();
  }
}
