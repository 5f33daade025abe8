import type pg from 'pg';
import { SERVICES, type ServiceName } from '@orderflow/contracts';
import {
  createPool,
  KafkaSecurityError,
  Messaging,
  type KafkaSecurity,
} from '@orderflow/messaging';
import { parseKillAfterCommit, type KillAfterCommit } from '@orderflow/messaging/fault-injection';
import { createLogger, type Logger } from '@orderflow/telemetry';
import {
  commonEnv,
  ConfigError,
  kafkaSecurityOf,
  port,
  z,
  type KafkaSecurityFields,
} from './config.js';
import { httpSecurity, securityEnv, type SecurityConfig } from './security/config.js';
import type { HttpApp } from './http-app.js';
import { runService } from './run-service.js';

/**
 * What every service's `main.ts` does, once: read and validate config (fail fast with a clear
 * message), build the pool, messaging and app, listen, and stop gracefully on SIGTERM/SIGINT.
 */

/** Environment of a service: its port and database default from the service catalogue. */
export function serviceEnv(service: ServiceName) {
  const { port: defaultPort, database } = SERVICES[service];
  return {
    PORT: port(defaultPort),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url().default(`postgres://postgres@127.0.0.1:5432/${database}`),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Transactions each consumer runs at once (records of distinct keys; see consumer.ts). */
    CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** Records of distinct keys in one consumer transaction at most. */
    CONSUMER_MAX_BATCH: z.coerce.number().int().min(1).max(500).default(16),
    /** Fault injection for the chaos suite only: see @orderflow/messaging fault-injection.ts. */
    ORDERFLOW_FAULT_KILL_AFTER_COMMIT: z
      .string()
      .optional()
      .transform((raw, ctx): KillAfterCommit | undefined => {
        try {
          return parseKillAfterCommit(raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    ...commonEnv,
    ...securityEnv,
  };
}

export interface ServiceConfig extends SecurityConfig, KafkaSecurityFields {
  readonly PORT: number;
  readonly HOST: string;
  readonly DATABASE_URL: string;
  readonly SHUTDOWN_TIMEOUT_MS: number;
  readonly CONSUMER_CONCURRENCY: number;
  readonly CONSUMER_MAX_BATCH: number;
  readonly LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly KAFKA_BROKERS: readonly string[];
  readonly SCHEMA_REGISTRY_URL: string;
  readonly ORDERFLOW_FAULT_KILL_AFTER_COMMIT?: KillAfterCommit;
}

export interface ServiceDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
}

export interface ServiceApp {
  readonly http: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceMainOptions<C extends ServiceConfig> {
  readonly service: ServiceName;
  readonly loadConfig: () => C;
  readonly buildApp: (config: C, deps: ServiceDeps) => Promise<ServiceApp>;
  /** The handle from the service's instrument.ts (started before anything else loaded). */
  readonly telemetry: { shutdown(): Promise<void> };
}

export async function serviceMain<C extends ServiceConfig>(
  options: ServiceMainOptions<C>,
): Promise<void> {
  const { service } = options;
  let config: C;
  let kafkaSecurity: KafkaSecurity;
  try {
    config = options.loadConfig();
    httpSecurity(config); // a service without a token key source must not start
    kafkaSecurity = kafkaSecurityOf(config);
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof KafkaSecurityError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL);
  const messaging = new Messaging({
    service,
    brokers: config.KAFKA_BROKERS,
    security: kafkaSecurity,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    pool,
    logger,
    faults: { killAfterCommit: config.ORDERFLOW_FAULT_KILL_AFTER_COMMIT },
    consumerTuning: {
      concurrency: config.CONSUMER_CONCURRENCY,
      maxBatch: config.CONSUMER_MAX_BATCH,
      drainTimeoutMs: config.SHUTDOWN_TIMEOUT_MS / 2,
    },
  });
  const app = await options.buildApp(config, { pool, messaging, logger });
  await runService({
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    start: async () => {
      await app.start();
      await app.http.listen({ port: config.PORT, host: config.HOST });
    },
    stop: async () => {
      await app.stop();
      await pool.end();
      await options.telemetry.shutdown();
    },
  });
}
