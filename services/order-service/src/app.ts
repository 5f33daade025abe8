import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { EventStore } from '@orderflow/event-store';
import { outboxBacklog, type Messaging } from '@orderflow/messaging';
import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import type { Logger } from '@orderflow/telemetry';
import { AdmissionControl } from './admission-control.js';
import type { OrderConfig } from './config.js';
import { ORDER_CONTRACTS, type OrderContracts } from './contracts.js';
import { orderAggregate } from './domain/index.js';
import { orderQueryRoutes } from './handlers/order-queries.js';
import { orderStreamRoute } from './handlers/order-stream.js';
import { placeOrderRoute } from './handlers/place-order.js';
import { sagaSubscriptions } from './handlers/saga-events.js';
import { readBacklog } from './store/orders-store.js';

/** Wires order-service from its config and dependencies; never listens (main.ts does). */
export const SERVICE = 'order-service' as const;

export interface OrderDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
  /** Defaults to the manifest's topics; tests pass private copies. */
  readonly contracts?: OrderContracts;
  /** Consumer group; defaults to the service name. */
  readonly group?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

export interface OrderApp {
  readonly http: HttpApp;
  /** Starts consuming saga events and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (in-flight work finishes), flushes the outbox, closes HTTP. */
  stop(): Promise<void>;
}

export async function buildApp(config: OrderConfig, deps: OrderDeps): Promise<OrderApp> {
  const contracts = deps.contracts ?? ORDER_CONTRACTS;
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const store = new EventStore({ aggregate: orderAggregate, snapshotEvery: config.SNAPSHOT_EVERY });

  deps.messaging.consumer({
    group: deps.group ?? SERVICE,
    subscriptions: sagaSubscriptions(contracts, store, now),
  });

  const http = await buildHttpApp({
    security: httpSecurity(config),
    service: SERVICE,
    logger: deps.logger,
    description:
      'Places orders and shows them as the saga moves them: event-sourced Order aggregate.',
    readiness: async () => {
      const [db, kafka] = await Promise.allSettled([
        deps.pool.query('SELECT 1'),
        deps.messaging.describeBroker(),
      ]);
      return { database: state(db), kafka: state(kafka) };
    },
  });
  const backlog = {
    countUpTo: config.ADMISSION_MAX_IN_FLIGHT,
    ageRank: config.ADMISSION_OLDEST_AGE_RANK,
  };
  const admission = new AdmissionControl({
    read: () => readBacklog(deps.pool, backlog),
    limits: {
      maxInFlight: config.ADMISSION_MAX_IN_FLIGHT,
      maxOldestAgeMs: config.ADMISSION_MAX_OLDEST_AGE_MS,
    },
    refreshMs: config.ADMISSION_REFRESH_MS,
    retryAfterSeconds: config.ADMISSION_RETRY_AFTER_S,
    logger: deps.logger,
    now,
  });
  placeOrderRoute(http, {
    admission,
    pool: deps.pool,
    messaging: deps.messaging,
    store,
    contracts,
    now,
    newId,
  });
  orderQueryRoutes(http, deps.pool, store);
  orderStreamRoute(http, deps.pool, store, {
    pollIntervalMs: config.SSE_POLL_INTERVAL_MS,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    limits: {
      perClient: config.SSE_MAX_STREAMS_PER_CLIENT,
      total: config.SSE_MAX_STREAMS,
      retryAfterSeconds: config.SSE_RETRY_AFTER_S,
    },
  });

  return {
    http,
    start: () => deps.messaging.start(),
    async stop() {
      await http.close();
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
