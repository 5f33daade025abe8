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
import { buildApp, type PaymentApp } from '../src/app.js';
import { paymentConfig } from '../src/config.js';
import { contractsOnTopics } from '../src/contracts.js';
import { GatewayError, type PaymentGateway } from '../src/gateway/payment-gateway.js';
import { SimulatedGateway } from '../src/gateway/simulated-gateway.js';

/**
 * payment-service against the real broker, registry and Postgres: the saga's side is a second
 * Messaging instance (service 'order-saga') sending commands through its own outbox and
 * collecting the replies through its own inbox, both on private topics. The gateway is the
 * simulator, wrapped to count the calls that reached it.
 */
const env = testEnvironment();
const brokers = env.kafkaBrokers.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const PAYMENT_MIGRATIONS = path.resolve(here, '../migrations');

const suffix = randomUUID().slice(0, 8);
const commandsTopic = `test.payments.commands-${suffix}`;
const eventsTopic = `test.payments.events-${suffix}`;
const paymentGroup = `payment-service-${suffix}`;
const sagaGroup = `order-saga-${suffix}`;
const contracts = contractsOnTopics(commandsTopic, eventsTopic);

/** Gateway calls per order (failed ones included). */
const calls = new Map<string, number>();
/** Orders whose charge the gateway captures but whose answer never arrives (every attempt). */
const lostAnswers = new Set<string>();

let paymentDb: TestDatabase;
let saga: MessagingPeer;
let app: PaymentApp;

function counting(gateway: PaymentGateway): PaymentGateway {
  const count = (orderId: string) => calls.set(orderId, (calls.get(orderId) ?? 0) + 1);
  return {
    charge: async (request) => {
      count(request.orderId);
      const result = await gateway.charge(request);
      if (lostAnswers.has(request.orderId))
        throw new GatewayError('GATEWAY_TIMEOUT', `the answer for ${request.orderId} was lost`);
      return result;
    },
    refund: (request) => {
      count(request.orderId);
      return gateway.refund(request);
    },
    cancelCharge: (key) => {
      count(key.slice('charge:'.length));
      return gateway.cancelCharge(key);
    },
  };
}

function process(
  orderId: string,
  paymentToken = 'tok_approve',
  amountMinor = 20997,
  customerId = 'customer-1',
  notAfter: number | null = Date.now() + 60_000,
) {
  return saga.send(contracts.process, {
    orderId,
    customerId,
    paymentToken,
    amountMinor,
    notAfter,
    currency: 'EUR',
  });
}

function refund(orderId: string, amountMinor = 20997) {
  return saga.send(contracts.refund, { orderId, amountMinor, currency: 'EUR' });
}

async function rows(table: 'payments' | 'refunds', orderId: string) {
  const { rows: found } = await paymentDb.pool.query<Record<string, unknown>>(
    `SELECT * FROM ${table} WHERE order_id = $1`,
    [orderId],
  );
  return found;
}

/** Waits until the payment service has consumed a command (its inbox holds the id). */
async function consumed(command: Envelope): Promise<void> {
  await eventually(`command ${command.id} consumed`, async () => {
    const { rowCount } = await paymentDb.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [
      command.id,
    ]);
    if (rowCount !== 1) throw new Error('not yet');
  });
}

/** An admin's Authorization header: every route but health needs a token. */
let admin: { authorization: string };
beforeAll(async () => {
  await Promise.all([
    privateTopics(brokers, commandsTopic, paymentGroup),
    privateTopics(brokers, eventsTopic, sagaGroup),
  ]);
  paymentDb = await createTestDatabase(env.databaseUrl, [
    MESSAGING_MIGRATIONS_DIR,
    PAYMENT_MIGRATIONS,
  ]);

  const auth = await testAuth();
  admin = bearer(await auth.admin());
  const config = paymentConfig({
    ...auth.env,
    DATABASE_URL: paymentDb.url,
    KAFKA_BROKERS: env.kafkaBrokers,
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger({ service: 'payment-service', level: 'silent' });
  const messaging = new Messaging({
    service: 'payment-service',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: paymentDb.pool,
    logger: silentLogger,
    autoRegisterSchemas: true, // private topics mean private subjects
    relay: { pollIntervalMs: 200 },
  });
  app = await buildApp(config, {
    pool: paymentDb.pool,
    messaging,
    logger,
    gateway: counting(new SimulatedGateway()),
    contracts,
    group: paymentGroup,
  });

  saga = await MessagingPeer.start({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    databaseUrl: env.databaseUrl,
    group: sagaGroup,
    receives: [contracts.captured, contracts.declined, contracts.refunded],
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await saga?.stop();
  await paymentDb?.drop();
});

describe('payments over Kafka', () => {
  const capturedOrder = `order-${randomUUID()}`;

  it('captures an approved payment once and replies PaymentCaptured', async () => {
    const command = await process(capturedOrder);
    const [reply] = await saga.receivedFor(capturedOrder, 1);
    expect(reply?.type).toBe('payments.PaymentCaptured');
    const [row] = await rows('payments', capturedOrder);
    expect(reply?.payload).toEqual({
      orderId: capturedOrder,
      paymentId: row?.payment_id,
      amountMinor: 20997,
      currency: 'EUR',
    });
    expect(reply?.envelope.causationId).toBe(command.id);
    expect(reply?.envelope.correlationId).toBe(command.correlationId);
    expect(await rows('payments', capturedOrder)).toEqual([
      expect.objectContaining({
        status: 'CAPTURED',
        amount_minor: '20997',
        customer_id: 'customer-1',
      }),
    ]);
  });

  it('declines for insufficient funds: PaymentDeclined and no capture', async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId, 'tok_decline_insufficient_funds', 1200);
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply).toMatchObject({
      type: 'payments.PaymentDeclined',
      payload: { orderId, reason: 'INSUFFICIENT_FUNDS', amountMinor: 1200, currency: 'EUR' },
    });
    expect(await rows('payments', orderId)).toEqual([
      expect.objectContaining({ status: 'DECLINED', gateway_ref: null }),
    ]);
  });

  it('retries transient gateway failures in process and captures exactly once', async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId, 'tok_transient_2');
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply?.type).toBe('payments.PaymentCaptured');
    expect(calls.get(orderId)).toBe(3); // two failures, then the capture
    expect(await rows('payments', orderId)).toHaveLength(1);
  });

  it("rides out eight gateway failures in the call's own retries, capturing once", async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId, 'tok_transient_8');
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply?.type).toBe('payments.PaymentCaptured');
    expect(calls.get(orderId)).toBe(9);
    expect(await rows('payments', orderId)).toHaveLength(1);
  });

  it('a slow gateway call holds only its own order: orders sent after it are answered first', async () => {
    const slowOrder = `order-slow-${randomUUID()}`;
    await process(slowOrder, 'tok_slow_4000');
    // Six partitions' worth of other orders, so some share the slow order's partition.
    const others = Array.from({ length: 12 }, () => `order-${randomUUID()}`);
    await Promise.all(others.map((orderId) => process(orderId)));
    for (const orderId of others) {
      const [reply] = await saga.receivedFor(orderId, 1);
      expect(reply?.type).toBe('payments.PaymentCaptured');
    }
    // All answered while the slow charge (4 s) is still out.
    expect(saga.received.filter((m) => m.key === slowOrder)).toEqual([]);
    const [slowReply] = await saga.receivedFor(slowOrder, 1);
    expect(slowReply?.type).toBe('payments.PaymentCaptured');
  });

  it('charges once when the same ProcessPayment arrives twice, and answers both', async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId);
    await process(orderId);
    const both = await saga.receivedFor(orderId, 2);
    expect(both.map((r) => r.type)).toEqual([
      'payments.PaymentCaptured',
      'payments.PaymentCaptured',
    ]);
    expect(both[1]?.payload).toEqual(both[0]?.payload);
    expect(calls.get(orderId)).toBe(1);
    expect(await rows('payments', orderId)).toHaveLength(1);
  });

  it('refunds a capture in full once, and re-sends the reply for a duplicate refund', async () => {
    await refund(capturedOrder);
    await refund(capturedOrder);
    const [captured, ...refunds] = await saga.receivedFor(capturedOrder, 3);
    expect(refunds.map((r) => r.type)).toEqual([
      'payments.PaymentRefunded',
      'payments.PaymentRefunded',
    ]);
    expect(refunds[0]?.payload).toEqual({
      orderId: capturedOrder,
      paymentId: captured?.payload.paymentId,
      amountMinor: 20997,
      currency: 'EUR',
    });
    expect(refunds[1]?.payload).toEqual(refunds[0]?.payload);
    expect(await rows('refunds', capturedOrder)).toEqual([
      expect.objectContaining({ payment_id: captured?.payload.paymentId, amount_minor: '20997' }),
    ]);
    expect(calls.get(capturedOrder)).toBe(2); // one charge, one refund
  });

  it('voids an order never charged: amount 0 confirmed, and a later charge is refused unasked', async () => {
    const orderId = `order-${randomUUID()}`;
    await refund(orderId, 4200);
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply).toMatchObject({
      type: 'payments.PaymentRefunded',
      payload: { orderId, paymentId: '', amountMinor: 0, currency: 'EUR' },
    });
    expect(calls.get(orderId)).toBe(1); // the gateway was asked about the charge, once
    const late = await process(orderId);
    await consumed(late);
    const [, refused] = await saga.receivedFor(orderId, 2);
    expect(refused).toMatchObject({
      type: 'payments.PaymentDeclined',
      payload: { orderId, reason: 'PAYMENT_VOIDED', amountMinor: 20997 },
    });
    expect(await rows('payments', orderId)).toEqual([]);
    expect(calls.get(orderId)).toBe(1); // and never asked to charge
    // Outbox rows are written in the handler's transaction, so this is final.
    const { rows: outbox } = await paymentDb.pool.query<{ message_type: string }>(
      'SELECT message_type FROM outbox WHERE message_key = $1 ORDER BY seq',
      [orderId],
    );
    expect(outbox.map((r) => r.message_type)).toEqual([
      'payments.PaymentRefunded',
      'payments.PaymentDeclined',
    ]);
  });

  it("declines a charge past the saga's deadline without calling the gateway", async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId, 'tok_approve', 1500, 'customer-1', Date.now() - 1_000);
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply).toMatchObject({
      type: 'payments.PaymentDeclined',
      payload: { orderId, reason: 'DEADLINE_PASSED', amountMinor: 1500 },
    });
    expect(calls.get(orderId)).toBeUndefined();
  });

  it('a void resolves a charge whose answer was lost by asking the gateway, and refunds it', async () => {
    const orderId = `order-${randomUUID()}`;
    lostAnswers.add(orderId);
    const charge = await process(orderId, 'tok_approve', 3100);
    // Every attempt "timed out": the command is dead-lettered and nothing is recorded.
    await eventually(
      `the charge of ${orderId} given up`,
      async () => {
        const { rowCount } = await paymentDb.pool.query(
          'SELECT 1 FROM external_calls WHERE message_key = $1 AND settled_at IS NOT NULL',
          [orderId],
        );
        if (rowCount !== 1) throw new Error('still trying');
      },
      { timeoutMs: 30_000 },
    );
    expect(await rows('payments', orderId)).toEqual([]);
    expect(charge.id).toBeDefined();

    await refund(orderId, 3100);
    const [reply] = await saga.receivedFor(orderId, 1);
    expect(reply).toMatchObject({
      type: 'payments.PaymentRefunded',
      payload: { orderId, amountMinor: 3100, currency: 'EUR' },
    });
    const [payment] = await rows('payments', orderId);
    expect(payment).toMatchObject({ status: 'CAPTURED', amount_minor: '3100', customer_id: null });
    expect(await rows('refunds', orderId)).toEqual([
      expect.objectContaining({ payment_id: payment?.payment_id, amount_minor: '3100' }),
    ]);
  });

  it('lets the database refuse a second capture or a capture of nothing', async () => {
    await expect(
      paymentDb.pool.query(
        `INSERT INTO payments (order_id, payment_id, customer_id, status, amount_minor, currency, gateway_ref)
         VALUES ($1, 'another', 'c', 'CAPTURED', 1, 'EUR', 'x')`,
        [capturedOrder],
      ),
    ).rejects.toMatchObject({ code: '23505' }); // unique_violation
    await expect(
      paymentDb.pool.query(
        `INSERT INTO payments (order_id, payment_id, customer_id, status, amount_minor, currency, gateway_ref)
         VALUES ('zero', 'zero', 'c', 'CAPTURED', 0, 'EUR', 'x')`,
      ),
    ).rejects.toMatchObject({ code: '23514' }); // check_violation
  });
});

describe('payments over HTTP', () => {
  it("shows an order's payment and refund", async () => {
    const orderId = `order-${randomUUID()}`;
    await process(orderId, 'tok_approve', 999, 'customer-7');
    await saga.receivedFor(orderId, 1);
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/payments/${orderId}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      orderId,
      status: 'CAPTURED',
      payment: {
        paymentId: expect.any(String),
        customerId: 'customer-7',
        status: 'CAPTURED',
        amountMinor: 999,
        currency: 'EUR',
        gatewayRef: expect.stringMatching(/^sim_ch_/),
        declineReason: null,
      },
      refund: null,
    });

    await refund(orderId, 999);
    await saga.receivedFor(orderId, 2);
    const after = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/payments/${orderId}`,
    });
    expect(after.json()).toMatchObject({
      status: 'REFUNDED',
      refund: { amountMinor: 999, currency: 'EUR', gatewayRef: expect.stringMatching(/^sim_re_/) },
    });
  });

  it('answers an unknown order with a 404 problem', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: '/payments/no-such-order',
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      detail: 'No payment for order no-such-order',
    });
  });

  it('is ready when Postgres and Kafka answer', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', kafka: 'ok' } });
  });
});
