import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Messaging,
  MESSAGING_MIGRATIONS_DIR,
  silentLogger,
  type Envelope,
} from '@orderflow/messaging';
import { MessagingPeer, privateTopics } from '@orderflow/service-testkit';
import { createLogger } from '@orderflow/telemetry';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
  bearer,
  testAuth,
} from '@orderflow/testkit';
import { buildApp, type ShippingApp } from '../src/app.js';
import { shippingConfig } from '../src/config.js';
import { contractsOnTopics } from '../src/contracts.js';
import { cancelledWithoutShipment } from '../src/domain/shipment.js';
import { isTrackingNumber } from '../src/domain/tracking-number.js';
import { insertShipment, lockShipment } from '../src/store/shipment-store.js';

/**
 * shipping-service against the real broker, registry and Postgres: the saga's side is a second
 * Messaging instance (service 'order-saga') sending commands through its own outbox and
 * collecting the replies through its own inbox, both on private topics.
 */
const env = testEnvironment();
const brokers = env.kafkaBrokers.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const SHIPPING_MIGRATIONS = path.resolve(here, '../migrations');

const suffix = randomUUID().slice(0, 8);
const commandsTopic = `test.shipping.commands-${suffix}`;
const eventsTopic = `test.shipping.events-${suffix}`;
const shippingGroup = `shipping-service-${suffix}`;
const sagaGroup = `order-saga-${suffix}`;
const contracts = contractsOnTopics(commandsTopic, eventsTopic);

let shippingDb: TestDatabase;
let saga: MessagingPeer;
let app: ShippingApp;

function schedule(orderId: string, country = 'DE') {
  return saga.send(contracts.schedule, {
    orderId,
    lines: [{ sku: 'MOUSE-WIRELESS', quantity: 2 }],
    address: {
      name: 'Ada Lovelace',
      line1: 'Hauptstraße 1',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country,
    },
  });
}

async function processed(envelope: Envelope): Promise<void> {
  await eventually(`command ${envelope.id} processed`, async () => {
    const { rowCount } = await shippingDb.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [
      envelope.id,
    ]);
    if (rowCount !== 1) throw new Error('not yet');
  });
}

interface Row {
  status: string;
  shipment_id: string | null;
  tracking_number: string | null;
}

async function rows(orderId: string): Promise<Row[]> {
  const result = await shippingDb.pool.query<Row>(
    'SELECT status, shipment_id, tracking_number FROM shipments WHERE order_id = $1',
    [orderId],
  );
  return result.rows;
}

/** Outbox rows are written in the handler's transaction, so once processed this is final. */
async function emitted(orderId: string): Promise<string[]> {
  const result = await shippingDb.pool.query<{ message_type: string }>(
    'SELECT message_type FROM outbox WHERE message_key = $1 ORDER BY created_at',
    [orderId],
  );
  return result.rows.map((r) => r.message_type);
}

/** An admin's Authorization header: every route but health needs a token. */
let admin: { authorization: string };
beforeAll(async () => {
  await Promise.all([
    privateTopics(brokers, commandsTopic, shippingGroup),
    privateTopics(brokers, eventsTopic, sagaGroup),
  ]);
  shippingDb = await createTestDatabase(env.databaseUrl, [
    MESSAGING_MIGRATIONS_DIR,
    SHIPPING_MIGRATIONS,
  ]);

  const auth = await testAuth();
  admin = bearer(await auth.admin());
  const config = shippingConfig({
    ...auth.env,
    DATABASE_URL: shippingDb.url,
    KAFKA_BROKERS: env.kafkaBrokers,
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    LOG_LEVEL: 'silent',
    SHIPPING_COUNTRIES: 'DE,FR,GB,US',
    SHIPPING_CARRIER: 'Test Parcel',
  });
  const logger = createLogger({ service: 'shipping-service', level: 'silent' });
  const messaging = new Messaging({
    service: 'shipping-service',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: shippingDb.pool,
    logger: silentLogger,
    autoRegisterSchemas: true, // private topics mean private subjects
    relay: { pollIntervalMs: 200 },
  });
  app = await buildApp(config, {
    pool: shippingDb.pool,
    messaging,
    logger,
    contracts,
    group: shippingGroup,
  });

  saga = await MessagingPeer.start({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    databaseUrl: env.databaseUrl,
    group: sagaGroup,
    receives: [contracts.scheduled, contracts.rejected, contracts.cancelled],
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await saga?.stop();
  await shippingDb?.drop();
});

describe('shipping over Kafka', () => {
  const scheduledOrder = randomUUID();

  it('schedules a shipment to a supported country with a tracking number', async () => {
    const command = await schedule(scheduledOrder);
    const [reply] = await saga.receivedFor(scheduledOrder, 1);
    expect(reply?.type).toBe('shipping.ShipmentScheduled');
    expect(reply?.payload).toEqual({
      orderId: scheduledOrder,
      shipmentId: expect.any(String),
      carrier: 'Test Parcel',
      trackingNumber: expect.any(String),
    });
    expect(isTrackingNumber(String(reply?.payload.trackingNumber))).toBe(true);
    expect(reply?.envelope.causationId).toBe(command.id);
    expect(reply?.envelope.correlationId).toBe(command.correlationId);
    expect(await rows(scheduledOrder)).toEqual([
      {
        status: 'SCHEDULED',
        shipment_id: reply?.payload.shipmentId,
        tracking_number: reply?.payload.trackingNumber,
      },
    ]);
  });

  it('rejects an unsupported country with a reason and books nothing', async () => {
    const orderId = randomUUID();
    await schedule(orderId, 'BR');
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply?.type).toBe('shipping.ShipmentRejected');
    expect(reply?.payload).toEqual({
      orderId,
      reason: 'UNSUPPORTED_COUNTRY',
      detail: 'we do not ship to BR',
    });
    expect(await rows(orderId)).toEqual([]);
  });

  it('books one shipment when the same ScheduleShipment arrives twice, and answers both alike', async () => {
    const orderId = randomUUID();
    await schedule(orderId);
    await schedule(orderId);
    const both = await saga.receivedFor(orderId, 2);
    expect(both.map((r) => r.type)).toEqual([
      'shipping.ShipmentScheduled',
      'shipping.ShipmentScheduled',
    ]);
    expect(both[1]?.payload).toEqual(both[0]?.payload);
    expect(await rows(orderId)).toHaveLength(1);
  });

  it('cancels a scheduled shipment, and confirms a repeated cancel without a second effect', async () => {
    const [booked] = await saga.receivedFor(scheduledOrder, 1);
    await saga.send(contracts.cancel, { orderId: scheduledOrder });
    await saga.send(contracts.cancel, { orderId: scheduledOrder });
    const all = await saga.receivedFor(scheduledOrder, 3);
    const cancels = all.filter((r) => r.type === 'shipping.ShipmentCancelled');
    expect(cancels.map((r) => r.payload)).toEqual([
      { orderId: scheduledOrder, shipmentId: booked?.payload.shipmentId },
      { orderId: scheduledOrder, shipmentId: booked?.payload.shipmentId },
    ]);
    expect(await rows(scheduledOrder)).toEqual([
      {
        status: 'CANCELLED',
        shipment_id: booked?.payload.shipmentId,
        tracking_number: booked?.payload.trackingNumber,
      },
    ]);
  });

  it('a cancel that overtakes its schedule wins: the late schedule ships nothing', async () => {
    const orderId = randomUUID();
    await saga.send(contracts.cancel, { orderId });
    const [cancelled] = await saga.receivedFor(orderId, 1);
    expect(cancelled).toMatchObject({
      type: 'shipping.ShipmentCancelled',
      payload: { orderId, shipmentId: '' },
    });
    const late = await schedule(orderId);
    await processed(late);
    expect(await rows(orderId)).toEqual([
      { status: 'CANCELLED', shipment_id: null, tracking_number: null },
    ]);
    expect(await emitted(orderId)).toEqual(['shipping.ShipmentCancelled']);
  });

  it('gives every order its own tracking number', async () => {
    const orders = Array.from({ length: 8 }, () => randomUUID());
    await Promise.all(orders.map((orderId) => schedule(orderId, 'FR')));
    const outcomes = await Promise.all(orders.map((o) => saga.receivedFor(o, 1)));
    const numbers = outcomes.map(([r]) => r?.payload.trackingNumber);
    expect(new Set(numbers).size).toBe(orders.length);
  });

  it('lets the database refuse a second shipment for an order whatever the code does', async () => {
    await expect(
      shippingDb.pool.query(
        `INSERT INTO shipments (order_id, status, cancelled_at) VALUES ($1, 'CANCELLED', now())`,
        [scheduledOrder],
      ),
    ).rejects.toMatchObject({ code: '23505' }); // unique_violation
  });
});

describe('shipment store', () => {
  it('serialises two commands for an order that has no row yet, so only one inserts', async () => {
    const orderId = randomUUID();
    const first = await shippingDb.pool.connect();
    const second = await shippingDb.pool.connect();
    try {
      await first.query('BEGIN');
      expect(await lockShipment(first, orderId)).toBeUndefined();
      await second.query('BEGIN');
      // FOR UPDATE alone would let the second in (no row to lock); the order lock does not.
      await second.query("SET LOCAL lock_timeout = '300ms'");
      await expect(lockShipment(second, orderId)).rejects.toMatchObject({ code: '55P03' });
      await second.query('ROLLBACK');
      await insertShipment(first, cancelledWithoutShipment(orderId, new Date()));
      await first.query('COMMIT');

      await second.query('BEGIN');
      expect(await lockShipment(second, orderId)).toMatchObject({ orderId, status: 'CANCELLED' });
      await second.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
  });
});

describe('shipping over HTTP', () => {
  it("shows an order's shipment", async () => {
    const orderId = randomUUID();
    await schedule(orderId, 'GB');
    const [reply] = await saga.receivedFor(orderId, 1);
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/shipments/${orderId}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      orderId,
      status: 'SCHEDULED',
      shipmentId: reply?.payload.shipmentId,
      carrier: 'Test Parcel',
      trackingNumber: reply?.payload.trackingNumber,
      country: 'GB',
      lines: [{ sku: 'MOUSE-WIRELESS', quantity: 2 }],
      scheduledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      cancelledAt: null,
    });
  });

  it('shows a cancel that came before any booking as CANCELLED with no shipment', async () => {
    const orderId = randomUUID();
    await saga.send(contracts.cancel, { orderId });
    await saga.receivedFor(orderId, 1);
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/shipments/${orderId}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      orderId,
      status: 'CANCELLED',
      shipmentId: null,
      carrier: null,
      trackingNumber: null,
      country: null,
      lines: [],
      scheduledAt: null,
      cancelledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('answers an order without a shipment with a 404 problem', async () => {
    const orderId = randomUUID();
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/shipments/${orderId}`,
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      detail: `No shipment for order ${orderId}`,
    });
  });

  it('is ready when Postgres and Kafka answer', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', kafka: 'ok' } });
  });
});
