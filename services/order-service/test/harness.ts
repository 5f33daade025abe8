import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dlqTopic } from '@orderflow/contracts';
import { EVENT_STORE_MIGRATIONS } from '@orderflow/event-store';
import {
  Messaging,
  MESSAGING_MIGRATIONS_DIR,
  silentLogger,
  type Envelope,
  type MessageContract,
} from '@orderflow/messaging';
import { MessagingPeer, privateTopics, type PeerMessage } from '@orderflow/service-testkit';
import { createLogger } from '@orderflow/telemetry';
import {
  bearer,
  createTestDatabase,
  eventually,
  testAuth,
  testEnvironment,
  type TestAuth,
  type TestDatabase,
} from '@orderflow/testkit';
import { buildApp, type OrderApp } from '../src/app.js';
import { orderConfig } from '../src/config.js';
import { contractsOnTopics, type OrderContracts } from '../src/contracts.js';
import type { OrderResource } from '../src/handlers/order-resource.js';

/**
 * order-service against the real broker, registry and Postgres: the saga's side is a second
 * Messaging instance (service 'order-saga') collecting the order events through its own inbox
 * and sending saga events through its own outbox, both on private topics of this test file.
 */
export type Received = PeerMessage;

/** The part of fastify's inject response the tests read. */
export interface InjectResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
  json<T = unknown>(): T;
}

export interface Harness {
  readonly app: OrderApp;
  readonly orderDb: TestDatabase;
  readonly contracts: OrderContracts;
  readonly ordersTopic: string;
  /** The dead-letter topic of order-service's consumer of the saga's events. */
  readonly sagaDlqTopic: string;
  /** Mints tokens the app accepts. */
  readonly auth: TestAuth;
  /** An admin's Authorization header: the harness's own requests send it unless given another. */
  readonly admin: { readonly authorization: string };
  /** Sends a saga event as the orchestrator does: through its outbox, in a transaction. */
  sagaSends(contract: MessageContract, payload: Record<string, unknown>): Promise<Envelope>;
  /** Waits for a record of this type for this order on the private orders topic. */
  receivedFor(orderId: string, type: string): Promise<Received>;
  received(): readonly Received[];
  post(body: unknown, headers?: Record<string, string>): Promise<InjectResponse>;
  placed(body?: ReturnType<typeof validBody>): Promise<OrderResource>;
  getOrder(orderId: string, query?: string): Promise<OrderResource>;
  stop(): Promise<void>;
}

export const validBody = (customerId = `customer-${randomUUID()}`) => ({
  customerId,
  items: [
    { sku: 'KEYBOARD-MECH', quantity: 2 },
    { sku: 'MOUSE-WIRELESS', quantity: 1 },
  ],
  payment: { token: 'tok_approve' },
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
});

const env = testEnvironment();
const brokers = env.kafkaBrokers.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const ORDER_MIGRATIONS = path.resolve(here, '../migrations');

/** `overrides` add to or replace the service's test configuration (e.g. admission bounds). */
export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const suffix = randomUUID().slice(0, 8);
  const ordersTopic = `test.orders.events-${suffix}`;
  const sagaTopic = `test.order-saga.events-${suffix}`;
  const orderGroup = `order-service-${suffix}`;
  const sagaGroup = `order-saga-${suffix}`;
  const contracts = contractsOnTopics(ordersTopic, sagaTopic);

  await Promise.all([
    privateTopics(brokers, ordersTopic, sagaGroup),
    privateTopics(brokers, sagaTopic, orderGroup),
  ]);
  const orderDb = await createTestDatabase(env.databaseUrl, [
    MESSAGING_MIGRATIONS_DIR,
    EVENT_STORE_MIGRATIONS,
    ORDER_MIGRATIONS,
  ]);

  const auth = await testAuth();
  const admin = bearer(await auth.admin());
  const config = orderConfig({
    ...auth.env,
    DATABASE_URL: orderDb.url,
    KAFKA_BROKERS: env.kafkaBrokers,
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    LOG_LEVEL: 'silent',
    SNAPSHOT_EVERY: '3',
    // No saga finishes these orders: every order a test places stays in flight, which admission
    // control would rightly call a backlog. Bounds past anything a file places; the gate's own
    // tests pass theirs.
    ADMISSION_MAX_IN_FLIGHT: '1000000',
    ADMISSION_MAX_OLDEST_AGE_MS: '86400000',
    ...overrides,
  });
  const messaging = new Messaging({
    service: 'order-service',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: orderDb.pool,
    logger: silentLogger,
    autoRegisterSchemas: true, // private topics mean private subjects
    relay: { pollIntervalMs: 200 },
  });
  const app = await buildApp(config, {
    pool: orderDb.pool,
    messaging,
    logger: createLogger({ service: 'order-service', level: 'silent' }),
    contracts,
    group: orderGroup,
  });

  const saga = await MessagingPeer.start({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    databaseUrl: env.databaseUrl,
    group: sagaGroup,
    receives: [contracts.placed, contracts.completed, contracts.cancelled],
  });
  await app.start();

  const post = (body: unknown, headers: Record<string, string> = {}): Promise<InjectResponse> =>
    app.http.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json', ...admin, ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  return {
    app,
    orderDb,
    contracts,
    ordersTopic,
    sagaDlqTopic: dlqTopic(sagaTopic, orderGroup),
    auth,
    admin,
    received: () => saga.received,
    sagaSends: (contract, payload) => saga.send(contract, payload),
    receivedFor(orderId, type) {
      return eventually(`${type} for ${orderId} on ${ordersTopic}`, () => {
        const found = saga.received.find((r) => r.key === orderId && r.type === type);
        if (!found) throw new Error(`${saga.received.length} record(s) so far, none matching`);
        return found;
      });
    },
    post,
    async placed(body = validBody()) {
      const response = await post(body);
      expect(response.statusCode).toBe(202);
      return response.json<OrderResource>();
    },
    async getOrder(orderId, query = '') {
      const response = await app.http.inject({
        method: 'GET',
        url: `/orders/${orderId}${query}`,
        headers: admin,
      });
      expect(response.statusCode).toBe(200);
      return response.json<OrderResource>();
    },
    async stop() {
      await app.stop();
      await saga.stop();
      await orderDb.drop();
    },
  };
}
