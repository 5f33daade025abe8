import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS, type TopicName } from '@orderflow/contracts';
import { Messaging, silentLogger } from '@orderflow/messaging';
import { createLogger } from '@orderflow/telemetry';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
  bearer,
  testAuth,
} from '@orderflow/testkit';
import { buildApp, type SagaApp } from '../src/app.js';
import { sagaConfig } from '../src/config.js';
import { contractsOnTopics } from '../src/contracts.js';
import type { SagaState } from '../src/domain/index.js';
import { findSaga } from '../src/store/saga-store.js';
import { Participants, PRICE, shipment } from './harness.js';

/**
 * order-saga against the real broker, registry and Postgres, on private topics: the other four
 * services are Messaging instances (test/harness.ts) that answer the saga's commands per order.
 * Short step timeouts for payment and shipping let the deadline scheduler fire within a test.
 */
const env = testEnvironment();
const brokers = env.kafkaBrokers.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const MESSAGING_MIGRATIONS = path.resolve(here, '../../../packages/messaging/migrations');
const SAGA_MIGRATIONS = path.resolve(here, '../migrations');

const suffix = randomUUID().slice(0, 8);
const topics = Object.fromEntries(
  (Object.keys(TOPICS) as TopicName[]).map((t) => [t, `test.${t}-${suffix}`]),
) as Record<TopicName, string>;
const contracts = contractsOnTopics(topics);
const sagaGroup = `order-saga-${suffix}`;
const STEP_TIMEOUT_MS = 4_000;
const COMPENSATION_TIMEOUT_MS = 2_000;

const participants = new Participants(contracts, topics, suffix);
let sagaDb: TestDatabase;
let app: SagaApp;

async function saga(orderId: string): Promise<SagaState> {
  const found = await findSaga(sagaDb.pool, orderId);
  if (!found) throw new Error(`no saga for ${orderId}`);
  return found.state;
}

async function settled(orderId: string, status: SagaState['status']): Promise<SagaState> {
  return eventually(`saga ${orderId} ${status} and settled`, async () => {
    const state = await saga(orderId);
    if (state.status !== status || state.deadline !== null)
      throw new Error(`${state.status}, deadline ${JSON.stringify(state.deadline)}`);
    return state;
  });
}

async function outboxRows(orderId: string): Promise<number> {
  const { rows } = await sagaDb.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE message_key = $1',
    [orderId],
  );
  return rows[0]?.n ?? 0;
}

const types = (list: { type: string }[]) => list.map((r) => r.type);

async function outcome(orderId: string, type: 'saga.SagaCompleted' | 'saga.SagaCancelled') {
  return eventually(`${type} for ${orderId}`, () => {
    const [event] = participants.eventsFor(orderId, type);
    if (!event) throw new Error(`events so far: ${types(participants.eventsFor(orderId)).join()}`);
    return event;
  });
}

/** Waits until the saga's consumer has processed (committed) the record with this id. */
async function processed(messageId: string): Promise<void> {
  await eventually(`message ${messageId} processed by the saga`, async () => {
    const { rowCount } = await sagaDb.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [
      messageId,
    ]);
    if (rowCount !== 1) throw new Error('not yet');
  });
}

/** An admin's Authorization header: every route but health needs a token. */
let admin: { authorization: string };
beforeAll(async () => {
  await participants.createTopics(brokers, sagaGroup);
  sagaDb = await createTestDatabase(env.databaseUrl, [MESSAGING_MIGRATIONS, SAGA_MIGRATIONS]);
  await participants.start({
    brokers,
    registryUrl: env.schemaRegistryUrl,
    databaseUrl: env.databaseUrl,
    messagingMigrations: MESSAGING_MIGRATIONS,
  });

  const auth = await testAuth();
  admin = bearer(await auth.admin());
  const config = sagaConfig({
    ...auth.env,
    DATABASE_URL: sagaDb.url,
    KAFKA_BROKERS: env.kafkaBrokers,
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    LOG_LEVEL: 'silent',
    SAGA_DEADLINE_POLL_MS: '100',
    // Generous for the first steps (consumer groups are still joining), short where tests go silent.
    SAGA_RESERVE_INVENTORY_TIMEOUT_MS: '30000',
    SAGA_COMMIT_INVENTORY_TIMEOUT_MS: '30000',
    SAGA_RESERVE_INVENTORY_DEADLINE_MS: '30000',
    SAGA_COMMIT_INVENTORY_DEADLINE_MS: '30000',
    // Payment is sent twice (at 0 and after STEP_TIMEOUT_MS), then given up.
    SAGA_PROCESS_PAYMENT_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
    SAGA_PROCESS_PAYMENT_DEADLINE_MS: String(2 * STEP_TIMEOUT_MS),
    SAGA_SCHEDULE_SHIPMENT_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
    SAGA_SCHEDULE_SHIPMENT_DEADLINE_MS: String(STEP_TIMEOUT_MS),
    // Short enough for a never-confirmed refund to park the saga within a test.
    SAGA_COMPENSATION_TIMEOUT_MS: String(COMPENSATION_TIMEOUT_MS),
    SAGA_MAX_COMPENSATION_ATTEMPTS: '2',
  });
  const messaging = new Messaging({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: sagaDb.pool,
    logger: silentLogger,
    autoRegisterSchemas: true,
    relay: { pollIntervalMs: 100 },
  });
  app = await buildApp(config, {
    pool: sagaDb.pool,
    messaging,
    logger: createLogger({ service: 'order-saga', level: 'silent' }),
    contracts,
    group: sagaGroup,
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await participants.stop();
  await sagaDb?.drop();
});

describe('order saga over Kafka', () => {
  it('runs the happy path: OrderPlaced → ReserveInventory … → SagaCompleted', async () => {
    const { orderId, envelope } = await participants.place();
    const completed = await outcome(orderId, 'saga.SagaCompleted');
    expect(completed.payload).toEqual({
      orderId,
      lines: [
        {
          sku: 'KEYBOARD-MECH',
          quantity: 2,
          unitAmountMinor: PRICE.unitAmountMinor,
          lineAmountMinor: 2 * PRICE.unitAmountMinor,
        },
      ],
      amountMinor: 2 * PRICE.unitAmountMinor,
      currency: 'EUR',
      trackingNumber: shipment(orderId).trackingNumber,
    });
    const commands = participants.commandsFor(orderId);
    expect(types(commands)).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.CommitInventory',
      'saga.ScheduleShipment',
    ]);
    expect(commands[0]?.payload).toEqual({
      orderId,
      lines: [{ sku: 'KEYBOARD-MECH', quantity: 2 }],
    });
    // The charge is inventory's priced total, never a client figure.
    expect(commands[1]?.payload).toMatchObject({ amountMinor: 2500, currency: 'EUR' });
    // One flow: every command carries the OrderPlaced correlation id.
    for (const c of commands) expect(c.envelope.correlationId).toBe(envelope.correlationId);

    const state = await settled(orderId, 'COMPLETED');
    expect(state.steps).toEqual({
      RESERVE_INVENTORY: 'SUCCEEDED',
      PROCESS_PAYMENT: 'SUCCEEDED',
      COMMIT_INVENTORY: 'SUCCEEDED',
      SCHEDULE_SHIPMENT: 'SUCCEEDED',
    });
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/sagas/${orderId}`,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ status: string; log: { step: string; status: string }[] }>();
    expect(body.status).toBe('COMPLETED');
    expect(body.log.map((e) => `${e.step} ${e.status}`)).toEqual([
      'RESERVE_INVENTORY STARTED',
      'RESERVE_INVENTORY SUCCEEDED',
      'PROCESS_PAYMENT STARTED',
      'PROCESS_PAYMENT SUCCEEDED',
      'COMMIT_INVENTORY STARTED',
      'COMMIT_INVENTORY SUCCEEDED',
      'SCHEDULE_SHIPMENT STARTED',
      'SCHEDULE_SHIPMENT SUCCEEDED',
    ]);
    // Every step change also went out: one SagaStepsChanged per decision (placed + four replies),
    // whose entries, in order, are the whole log.
    const changed = participants.eventsFor(orderId, 'saga.SagaStepsChanged');
    expect(changed).toHaveLength(5);
    expect(
      changed.flatMap((e) =>
        (e.payload.entries as { step: string; status: string }[]).map(
          (entry) => `${entry.step} ${entry.status}`,
        ),
      ),
    ).toEqual(body.log.map((entry) => `${entry.step} ${entry.status}`));
  });

  it('ignores a redelivered OrderPlaced (a second copy with a new id): one saga, one reserve', async () => {
    const { orderId, envelope } = await participants.place({ payment: 'decline' });
    await outcome(orderId, 'saga.SagaCancelled');
    const before = await saga(orderId);
    const copy = await participants.send('order-service', contracts.placed, {
      orderId,
      customerId: 'customer-1',
      lines: [{ sku: 'KEYBOARD-MECH', quantity: 2 }],
      shippingAddress: before.order.shippingAddress,
      channel: 'WEB',
    });
    expect(copy.id).not.toBe(envelope.id);
    await processed(copy.id);
    expect((await saga(orderId)).version).toBe(before.version);
    expect(
      types(participants.commandsFor(orderId)).filter((t) => t === 'saga.ReserveInventory'),
    ).toHaveLength(1);
  });

  it('payment declined → ReleaseInventory, then SagaCancelled', async () => {
    const { orderId } = await participants.place({ payment: 'decline' });
    const cancelled = await outcome(orderId, 'saga.SagaCancelled');
    expect(cancelled.payload).toMatchObject({
      orderId,
      reason: 'PAYMENT_DECLINED',
      failedStep: 'PROCESS_PAYMENT',
    });
    expect(types(participants.commandsFor(orderId))).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.ReleaseInventory',
    ]);
    const state = await settled(orderId, 'CANCELLED');
    expect(state.steps).toMatchObject({
      RESERVE_INVENTORY: 'COMPENSATED',
      PROCESS_PAYMENT: 'FAILED',
      COMMIT_INVENTORY: 'PENDING',
    });
    expect(participants.eventsFor(orderId, 'saga.SagaCompleted')).toHaveLength(0);
    const shown = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/sagas/${orderId}`,
    });
    expect(shown.json()).toMatchObject({
      status: 'CANCELLED',
      failure: { step: 'PROCESS_PAYMENT', reason: 'PAYMENT_DECLINED' },
      deadline: null,
    });
  });

  it('a silent payment is re-sent, given up at its deadline and voided → ReleaseInventory → SagaCancelled; its late decline is only logged', async () => {
    const { orderId } = await participants.place({ payment: 'silent' });
    const cancelled = await outcome(orderId, 'saga.SagaCancelled');
    expect(cancelled.payload).toMatchObject({
      reason: 'STEP_TIMEOUT',
      failedStep: 'PROCESS_PAYMENT',
      chargedMinor: 0,
      refundedMinor: 0,
    });
    const before = await settled(orderId, 'CANCELLED');
    expect(before.steps).toMatchObject({
      RESERVE_INVENTORY: 'COMPENSATED',
      PROCESS_PAYMENT: 'COMPENSATED', // voided
    });
    // Given up at the step's deadline after the first send, never earlier.
    const started = before.log.find((e) => e.step === 'PROCESS_PAYMENT' && e.status === 'STARTED');
    const timedOut = before.log.find((e) => e.status === 'TIMED_OUT');
    if (!started || !timedOut)
      throw new Error(
        `the step log lacks PROCESS_PAYMENT STARTED or TIMED_OUT: ${JSON.stringify(before.log)}`,
      );
    expect(timedOut.at - started.at).toBeGreaterThanOrEqual(2 * STEP_TIMEOUT_MS);
    // A compensation may be re-sent when its confirmation is slow to come back (busy broker).
    const commandsBefore = types(participants.commandsFor(orderId));
    expect(commandsBefore.filter((t) => t === 'saga.ProcessPayment')).toHaveLength(2);
    expect([...new Set(commandsBefore)]).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.RefundPayment',
      'saga.ReleaseInventory',
    ]);
    const [first, second] = participants
      .commandsFor(orderId)
      .filter((c) => c.type === 'saga.ProcessPayment');
    expect(second?.payload).toEqual(first?.payload); // the same command, re-sent

    const outboxBefore = await outboxRows(orderId);
    const late = await participants.send(
      'payment-service',
      contracts.replies['payments.PaymentDeclined'],
      {
        orderId,
        reason: 'PAYMENT_VOIDED',
        amountMinor: 2500,
        currency: 'EUR',
      },
    );
    await processed(late.id);
    const after = await saga(orderId);
    expect(after).toMatchObject({ status: 'CANCELLED', steps: before.steps, deadline: null });
    expect(after.log.at(-1)).toMatchObject({
      step: 'PROCESS_PAYMENT',
      status: 'FAILED',
      detail: 'late reply after the step was given up: payment declined (PAYMENT_VOIDED)',
    });
    // One SagaStepsChanged for the order's history, and no command.
    expect(await outboxRows(orderId)).toBe(outboxBefore + 1);
    expect(types(participants.commandsFor(orderId))).toEqual(commandsBefore);
  });

  it('a silent shipper times out → Restock, Refund → SagaCancelled; its late success is cancelled', async () => {
    const { orderId } = await participants.place({ shipping: 'silent' });
    const cancelled = await outcome(orderId, 'saga.SagaCancelled');
    expect(cancelled.payload).toMatchObject({
      reason: 'STEP_TIMEOUT',
      failedStep: 'SCHEDULE_SHIPMENT',
    });
    // Reverse order; committing replaced the owed release with a restock. (A compensation may be
    // re-sent when its confirmation is slow to come back.)
    expect([...new Set(types(participants.commandsFor(orderId)))]).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.CommitInventory',
      'saga.ScheduleShipment',
      'saga.RestockInventory',
      'saga.RefundPayment',
    ]);
    await settled(orderId, 'CANCELLED');

    // The shipper did the work after all: that shipment is real, so the saga cancels it.
    const late = await participants.send(
      'shipping-service',
      contracts.replies['shipping.ShipmentScheduled'],
      { orderId, ...shipment(orderId) },
    );
    await processed(late.id);
    await eventually('CancelShipment sent', () => {
      expect(types(participants.commandsFor(orderId)).at(-1)).toBe('saga.CancelShipment');
    });
    const after = await eventually('the late shipment compensated', async () => {
      const state = await saga(orderId);
      expect(state.steps.SCHEDULE_SHIPMENT).toBe('COMPENSATED');
      return state;
    });
    expect(after.status).toBe('CANCELLED');
    expect(after.deadline).toBeNull();
    expect(participants.eventsFor(orderId, 'saga.SagaCancelled')).toHaveLength(1);
    expect(participants.eventsFor(orderId, 'saga.SagaCompleted')).toHaveLength(0);
  });

  it('a refund never confirmed is re-sent, then parks the saga; an operator resume finishes it', async () => {
    const { orderId } = await participants.place({ shipping: 'reject', refund: 'ignore' });
    const parked = await eventually(`SagaParked for ${orderId}`, () => {
      const [event] = participants.eventsFor(orderId, 'saga.SagaParked');
      if (!event) throw new Error(types(participants.eventsFor(orderId)).join());
      return event;
    });
    expect(parked.payload).toMatchObject({ orderId, step: 'PROCESS_PAYMENT', attempts: 2 });
    // Shipping rejected: restock first (commit replaced the release), then the refund twice.
    expect(types(participants.commandsFor(orderId)).slice(4)).toEqual([
      'saga.RestockInventory',
      'saga.RefundPayment',
      'saga.RefundPayment',
    ]);
    const stuck = await settled(orderId, 'FAILED_NEEDS_ATTENTION');
    const shown = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/sagas/${orderId}`,
    });
    expect(shown.json()).toMatchObject({
      status: 'FAILED_NEEDS_ATTENTION',
      version: stuck.version,
    });

    participants.scripts.set(orderId, {
      payment: 'approve',
      shipping: 'reject',
      refund: 'confirm',
    });
    const resumed = await app.http.inject({
      headers: admin,
      method: 'POST',
      url: `/sagas/${orderId}/resume`,
    });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json()).toMatchObject({ status: 'COMPENSATING' });
    const cancelled = await outcome(orderId, 'saga.SagaCancelled');
    expect(cancelled.payload).toMatchObject({
      reason: 'SHIPPING_REJECTED',
      failedStep: 'SCHEDULE_SHIPMENT',
    });
    const done = await settled(orderId, 'CANCELLED');
    expect(done.steps).toMatchObject({
      COMMIT_INVENTORY: 'COMPENSATED',
      PROCESS_PAYMENT: 'COMPENSATED',
      SCHEDULE_SHIPMENT: 'FAILED',
    });
    expect(
      types(participants.commandsFor(orderId)).filter((t) => t === 'saga.RefundPayment'),
    ).toHaveLength(3);
  });
});

describe('order saga over HTTP', () => {
  it('answers an unknown order with a 404 problem', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: `/sagas/${randomUUID()}`,
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404 });
  });

  it('refuses to resume a saga that is not parked with a 409 problem', async () => {
    const { orderId } = await participants.place({ payment: 'decline' });
    await settled(orderId, 'CANCELLED');
    const response = await app.http.inject({
      headers: admin,
      method: 'POST',
      url: `/sagas/${orderId}/resume`,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ type: 'urn:orderflow:problem:saga-not-parked' });
  });

  it('is ready when Postgres and Kafka answer', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/health/ready' });
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', kafka: 'ok' } });
  });
});
