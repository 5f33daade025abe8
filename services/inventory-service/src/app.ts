import type pg from 'pg';
import { outboxBacklog, type Messaging } from '@orderflow/messaging';
import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import type { Logger } from '@orderflow/telemetry';
import type { InventoryConfig } from './config.js';
import { INVENTORY_CONTRACTS, type InventoryContracts } from './contracts.js';
import { inventorySubscriptions } from './handlers/commands.js';
import { inventoryRoutes } from './handlers/http.js';

/** Wires inventory-service from its config and dependencies; never listens (main.ts does). */
export const SERVICE = 'inventory-service' as const;

export interface InventoryDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
  /** Defaults to the manifest's topics; tests pass private copies. */
  readonly contracts?: InventoryContracts;
  /** Consumer group; defaults to the service name. */
  readonly group?: string;
}

export interface InventoryApp {
  readonly http: HttpApp;
  /** Starts consuming commands and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (in-flight work finishes), flushes the outbox, closes HTTP. */
  stop(): Promise<void>;
}

export async function buildApp(
  config: InventoryConfig,
  deps: InventoryDeps,
): Promise<InventoryApp> {
  const contracts = deps.contracts ?? INVENTORY_CONTRACTS;
  deps.messaging.consumer({
    group: deps.group ?? SERVICE,
    subscriptions: inventorySubscriptions(contracts),
    // Every order locks the stock rows of its SKUs, and a transaction of several orders holds
    // them all until it commits: two such transactions at once only wait on each other, and
    // deadlock when they take the same SKUs in another order (measured: 309 deadlocks in one
    // bench step at 4 SKUs). One transaction at a time, each a batch of orders, is the fastest.
    concurrency: 1,
  });

  const http = await buildHttpApp({
    security: httpSecurity(config),
    service: SERVICE,
    logger: deps.logger,
    description:
      'Catalogue and stock; reserves, commits, releases and restocks for the order saga.',
    readiness: async () => {
      const [db, kafka] = await Promise.allSettled([
        deps.pool.query('SELECT 1'),
        deps.messaging.describeBroker(),
      ]);
      return { database: state(db), kafka: state(kafka) };
    },
  });
  inventoryRoutes(http, deps.pool);

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
