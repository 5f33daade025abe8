import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { outboxBacklog, type Messaging } from '@orderflow/messaging';
import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import type { Logger } from '@orderflow/telemetry';
import type { ShippingConfig } from './config.js';
import { SHIPPING_CONTRACTS, type ShippingContracts } from './contracts.js';
import { shippingSubscriptions, type ShippingClock } from './handlers/commands.js';
import { shippingRoutes } from './handlers/http.js';

/** Wires shipping-service from its config and dependencies; never listens (main.ts does). */
export const SERVICE = 'shipping-service' as const;

export interface ShippingDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
  /** Defaults to the manifest's topics; tests pass private copies. */
  readonly contracts?: ShippingContracts;
  /** Consumer group; defaults to the service name. */
  readonly group?: string;
  /** Defaults to the wall clock and UUIDv7 shipment ids. */
  readonly clock?: ShippingClock;
}

export interface ShippingApp {
  readonly http: HttpApp;
  /** Starts consuming commands and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (in-flight work finishes), flushes the outbox, closes HTTP. */
  stop(): Promise<void>;
}

const SYSTEM_CLOCK: ShippingClock = { now: () => new Date(), newShipmentId: () => uuidv7() };

export async function buildApp(config: ShippingConfig, deps: ShippingDeps): Promise<ShippingApp> {
  const contracts = deps.contracts ?? SHIPPING_CONTRACTS;
  deps.messaging.consumer({
    group: deps.group ?? SERVICE,
    subscriptions: shippingSubscriptions(
      contracts,
      { countries: config.SHIPPING_COUNTRIES, carrier: config.SHIPPING_CARRIER },
      deps.clock ?? SYSTEM_CLOCK,
    ),
  });

  const http = await buildHttpApp({
    security: httpSecurity(config),
    service: SERVICE,
    logger: deps.logger,
    description: "Books, rejects and cancels the order's shipment for the order saga.",
    readiness: async () => {
      const [db, kafka] = await Promise.allSettled([
        deps.pool.query('SELECT 1'),
        deps.messaging.describeBroker(),
      ]);
      return { database: state(db), kafka: state(kafka) };
    },
  });
  shippingRoutes(http, deps.pool);

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
