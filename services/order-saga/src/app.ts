import type pg from 'pg';
import { outboxBacklog, type Messaging } from '@orderflow/messaging';
import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import { observeSagas, type Logger } from '@orderflow/telemetry';
import { sagaPolicy, type SagaConfig } from './config.js';
import { SAGA_CONTRACTS, type SagaContracts } from './contracts.js';
import { DeadlineScheduler } from './deadlines/deadline-scheduler.js';
import { sagaRoutes } from './handlers/http.js';
import { sagaSubscriptions } from './handlers/messages.js';
import { readSagaCounts } from './store/saga-metrics.js';

/** Wires order-saga from its config and dependencies; never listens (main.ts does). */
export const SERVICE = 'order-saga' as const;

export interface SagaDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
  /** Defaults to the manifest's topics; tests pass private copies. */
  readonly contracts?: SagaContracts;
  /** Consumer group; defaults to the service name. */
  readonly group?: string;
  /** Epoch milliseconds; the one clock for decisions and deadlines. */
  readonly now?: () => number;
}

export interface SagaApp {
  readonly http: HttpApp;
  readonly scheduler: DeadlineScheduler;
  /** Starts consuming, relaying the outbox and firing deadlines. */
  start(): Promise<void>;
  /** Stops HTTP, the scheduler and consuming (in-flight work finishes), then flushes the outbox. */
  stop(): Promise<void>;
}

export async function buildApp(config: SagaConfig, deps: SagaDeps): Promise<SagaApp> {
  const contracts = deps.contracts ?? SAGA_CONTRACTS;
  const now = deps.now ?? Date.now;
  deps.messaging.consumer({
    group: deps.group ?? SERVICE,
    subscriptions: sagaSubscriptions({ contracts, policy: sagaPolicy(config), now }),
  });
  const scheduler = new DeadlineScheduler({
    pool: deps.pool,
    publisher: deps.messaging.publisher,
    contracts,
    logger: deps.logger,
    now,
    pollIntervalMs: config.SAGA_DEADLINE_POLL_MS,
    batchSize: config.SAGA_DEADLINE_BATCH,
  });

  const http = await buildHttpApp({
    security: httpSecurity(config),
    service: SERVICE,
    logger: deps.logger,
    description: 'The order saga orchestrator: step log per order; admin resume of a parked saga.',
    readiness: async () => {
      const [db, kafka] = await Promise.allSettled([
        deps.pool.query('SELECT 1'),
        deps.messaging.describeBroker(),
      ]);
      return { database: state(db), kafka: state(kafka) };
    },
  });
  sagaRoutes(http, { pool: deps.pool, publisher: deps.messaging.publisher, contracts, now });

  let stopSagaMetrics: (() => void) | undefined;
  return {
    http,
    scheduler,
    async start() {
      await deps.messaging.start();
      scheduler.start();
      stopSagaMetrics ??= observeSagas(readSagaCounts(deps.pool));
    },
    async stop() {
      stopSagaMetrics?.();
      await http.close();
      await scheduler.stop();
      await deps.messaging.stop();
      const backlog = await outboxBacklog(deps.pool).catch(() => undefined);
      if (backlog) deps.logger.info({ backlog }, 'outbox at shutdown');
    },
  };
}

function state(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'ok';
  const reason: unknown = result.reason;
  return reason instanceof Error ? reason.message : String(reason);
}
