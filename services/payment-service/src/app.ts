import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { outboxBacklog, type Messaging } from '@orderflow/messaging';
import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import type { Logger } from '@orderflow/telemetry';
import type { PaymentConfig } from './config.js';
import { PAYMENT_CONTRACTS, type PaymentContracts } from './contracts.js';
import { createGateway } from './gateway/create-gateway.js';
import type { PaymentGateway } from './gateway/payment-gateway.js';
import { paymentHandlers } from './handlers/commands.js';
import { paymentRoutes } from './handlers/http.js';

/** Wires payment-service from its config and dependencies; never listens (main.ts does). */
export const SERVICE = 'payment-service' as const;

export interface PaymentDeps {
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly logger: Logger;
  /** Defaults to the gateway the config names (PAYMENT_GATEWAY). */
  readonly gateway?: PaymentGateway;
  /** Defaults to random UUIDs. */
  readonly newPaymentId?: () => string;
  /** Defaults to Date.now; tests pass their own clock. */
  readonly now?: () => number;
  /** Defaults to the manifest's topics; tests pass private copies. */
  readonly contracts?: PaymentContracts;
  /** Consumer group; defaults to the service name. */
  readonly group?: string;
}

export interface PaymentApp {
  readonly http: HttpApp;
  /** Starts consuming commands and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (in-flight work finishes), flushes the outbox, closes HTTP. */
  stop(): Promise<void>;
}

export async function buildApp(config: PaymentConfig, deps: PaymentDeps): Promise<PaymentApp> {
  const contracts = deps.contracts ?? PAYMENT_CONTRACTS;
  const handlers = paymentHandlers(contracts, {
    gateway: deps.gateway ?? createGateway(config, deps.logger),
    newPaymentId: deps.newPaymentId ?? randomUUID,
    gatewayTimeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS,
    gatewayAttempts: config.PAYMENT_GATEWAY_ATTEMPTS,
    now: deps.now ?? Date.now,
  });
  for (const call of handlers.calls) deps.messaging.externalCalls.register(call);
  deps.messaging.consumer({ group: deps.group ?? SERVICE, subscriptions: handlers.subscriptions });

  const http = await buildHttpApp({
    security: httpSecurity(config),
    service: SERVICE,
    logger: deps.logger,
    description: 'Charges and refunds orders for the order saga through a payment gateway.',
    readiness: async () => {
      const [db, kafka] = await Promise.allSettled([
        deps.pool.query('SELECT 1'),
        deps.messaging.describeBroker(),
      ]);
      return { database: state(db), kafka: state(kafka) };
    },
  });
  paymentRoutes(http, deps.pool);

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
