import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS, type TopicName } from '@orderflow/contracts';
import {
  Messaging,
  silentLogger,
  type Envelope,
  type HandlerContext,
  type Queryable,
} from '@orderflow/messaging';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
} from '@orderflow/testkit';
import { contractsOnTopics } from '../src/contracts.js';
import { DeadlineScheduler } from '../src/deadlines/deadline-scheduler.js';
import { decide, start, type Decision, type Msg, type SagaPolicy } from '../src/domain/index.js';
import { sagaSubscriptions } from '../src/handlers/messages.js';
import { recordDecision } from '../src/store/record-decision.js';
import { findSaga, SagaConflictError, updateSaga } from '../src/store/saga-store.js';

/**
 * The saga row and the deadline scheduler against real Postgres (and the registry, for
 * encoding outbox rows), with the clock in the test's hands: no broker, no waiting.
 */
const env = testEnvironment();
const here = path.dirname(fileURLToPath(import.meta.url));
const MIGRATIONS = [
  path.resolve(here, '../../../packages/messaging/migrations'),
  path.resolve(here, '../migrations'),
];
const suffix = randomUUID().slice(0, 8);
const contracts = contractsOnTopics(
  Object.fromEntries((Object.keys(TOPICS) as TopicName[]).map((t) => [t, `test.${t}-${suffix}`])),
);

const T0 = Date.parse('2026-01-01T00:00:00Z');
const RESERVE_TIMEOUT_MS = 1_000;
// One send per step: these tests are about the row and the scheduler, not about re-sends.
const once = (ms: number) => ({
  attemptTimeoutMs: ms,
  backoffCoefficient: 1,
  maxAttemptTimeoutMs: ms,
  deadlineMs: ms,
});
const policy: SagaPolicy = {
  steps: {
    RESERVE_INVENTORY: once(RESERVE_TIMEOUT_MS),
    PROCESS_PAYMENT: once(1_000),
    COMMIT_INVENTORY: once(1_000),
    SCHEDULE_SHIPMENT: once(1_000),
  },
  compensationTimeoutMs: {
    RESERVE_INVENTORY: 1_000,
    PROCESS_PAYMENT: 1_000,
    COMMIT_INVENTORY: 1_000,
    SCHEDULE_SHIPMENT: 1_000,
  },
  maxCompensationAttempts: 2,
};

let db: TestDatabase;
let messaging: Messaging;
let clock = T0;

function started(orderId = randomUUID()): Decision {
  return start(
    {
      type: 'orders.OrderPlaced',
      payload: {
        orderId,
        customerId: 'c-1',
        lines: [{ sku: 'SKU-1', quantity: 1 }],
        shippingAddress: {
          name: 'Ada',
          line1: '1 Main St',
          line2: null,
          city: 'Berlin',
          postalCode: '10115',
          country: 'DE',
        },
        channel: 'WEB',
        paymentToken: 'tok_approve',
      },
    },
    policy,
    T0,
  );
}

async function inTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function persist(decision: Decision, correlationId: string): Promise<void> {
  await inTransaction((tx) =>
    recordDecision(
      tx,
      (m) => messaging.publisher.publish(tx, { ...m, correlationId }),
      contracts,
      undefined,
      decision,
      correlationId,
    ),
  );
}

async function outbox(orderId: string): Promise<{ type: string; correlationId: string }[]> {
  const { rows } = await db.pool.query<{ message_type: string; headers: Record<string, string> }>(
    'SELECT message_type, headers FROM outbox WHERE message_key = $1 ORDER BY seq',
    [orderId],
  );
  return rows.map((r) => ({
    type: r.message_type,
    correlationId: r.headers.ce_correlationid ?? '',
  }));
}

function scheduler(): DeadlineScheduler {
  return new DeadlineScheduler({
    pool: db.pool,
    publisher: messaging.publisher,
    contracts,
    logger: silentLogger,
    now: () => clock,
    pollIntervalMs: 60_000, // driven by hand through fireDue()
    batchSize: 50,
  });
}

beforeAll(async () => {
  db = await createTestDatabase(env.databaseUrl, MIGRATIONS);
  // Never started: only its publisher is used, to write outbox rows.
  messaging = new Messaging({
    service: 'order-saga',
    brokers: env.kafkaBrokers.split(','),
    registryUrl: env.schemaRegistryUrl,
    pool: db.pool,
    logger: silentLogger,
    autoRegisterSchemas: true,
  });
});

afterAll(async () => {
  await db?.drop();
});

describe('saga store', () => {
  it('writes the row and the outbox rows of a decision together', async () => {
    const decision = started();
    const { orderId } = decision.state;
    await persist(decision, 'corr-1');
    expect((await findSaga(db.pool, orderId))?.state).toEqual(decision.state);
    expect((await outbox(orderId)).map((r) => r.type)).toEqual([
      'saga.ReserveInventory',
      'saga.SagaStepsChanged',
    ]);
    const { rows } = await db.pool.query<{ deadline_at: Date; status: string; version: number }>(
      'SELECT deadline_at, status, version FROM order_saga WHERE order_id = $1',
      [orderId],
    );
    expect(rows[0]).toEqual({
      deadline_at: new Date(T0 + RESERVE_TIMEOUT_MS),
      status: 'RUNNING',
      version: 1,
    });
  });

  it('refuses an update from a stale version with a retryable conflict, and keeps the row', async () => {
    const decision = started();
    await persist(decision, 'corr-2');
    const next = { ...decision.state, version: 2, status: 'CANCELLED' as const };
    await inTransaction((tx) => updateSaga(tx, next, 1));
    const stale = { ...decision.state, version: 2, status: 'COMPENSATING' as const };
    const attempt = inTransaction((tx) => updateSaga(tx, stale, 1));
    await expect(attempt).rejects.toBeInstanceOf(SagaConflictError);
    await expect(attempt).rejects.toMatchObject({ retryable: true, code: 'TRANSIENT' });
    expect((await findSaga(db.pool, decision.state.orderId))?.state.status).toBe('CANCELLED');
  });

  it('refuses a second start of the same order', async () => {
    const decision = started();
    await persist(decision, 'corr-3');
    await expect(persist(decision, 'corr-3')).rejects.toBeInstanceOf(SagaConflictError);
  });
});

describe('deadline scheduler', () => {
  it('fires nothing early, then fails the silent step, with the order correlation id', async () => {
    await db.pool.query('DELETE FROM order_saga');
    const decision = started();
    const { orderId } = decision.state;
    await persist(decision, 'corr-deadline');
    const timer = scheduler();

    clock = T0 + RESERVE_TIMEOUT_MS - 1;
    expect(await timer.fireDue()).toBe(0);
    clock = T0 + RESERVE_TIMEOUT_MS;
    expect(await timer.fireDue()).toBe(1);
    expect(await timer.fireDue()).toBe(0); // settled: no deadline left

    const state = (await findSaga(db.pool, orderId))?.state;
    expect(state).toMatchObject({
      status: 'CANCELLED',
      version: 2,
      deadline: null,
      failure: { step: 'RESERVE_INVENTORY', reason: 'STEP_TIMEOUT' },
    });
    const rows = await outbox(orderId);
    expect(rows.slice(2).map((r) => r.type)).toEqual([
      'saga.SagaStepsChanged',
      'saga.SagaCancelled',
    ]);
    for (const row of rows) expect(row.correlationId).toBe('corr-deadline');
  });

  it('skips a saga another transaction holds, and takes it on the next round', async () => {
    await db.pool.query('DELETE FROM order_saga');
    const decision = started();
    const { orderId } = decision.state;
    await persist(decision, 'corr-locked');
    clock = T0 + RESERVE_TIMEOUT_MS;
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM order_saga WHERE order_id = $1 FOR UPDATE', [orderId]);
      expect(await scheduler().fireDue()).toBe(0);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await scheduler().fireDue()).toBe(1);
  });
});

describe('message handler under concurrency', () => {
  function reservedReply(orderId: string): Msg<'inventory.InventoryReserved'> {
    return {
      type: 'inventory.InventoryReserved',
      payload: {
        orderId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitAmountMinor: 900, lineAmountMinor: 900 }],
        amountMinor: 900,
        currency: 'EUR',
      },
    };
  }

  /** What the consumer hands a handler: its transaction and a publish caused by the record. */
  function context(tx: Queryable, orderId: string): HandlerContext {
    const envelope: Envelope = {
      id: randomUUID(),
      type: 'inventory.InventoryReserved',
      source: '/services/inventory-service',
      time: new Date(T0).toISOString(),
      subject: orderId,
      dataschema: 'test',
      correlationId: 'corr-race',
      causationDepth: 1,
    };
    return {
      tx,
      envelope,
      key: orderId,
      logger: silentLogger,
      publish: (m) => messaging.publisher.publish(tx, { ...m, causedBy: envelope }),
      defer: () => Promise.reject(new Error('the saga defers no external calls')),
    };
  }

  it('two copies of a reply racing: the loser conflicts, and its retry sees the winner (one ProcessPayment)', async () => {
    const decision = started();
    const { orderId } = decision.state;
    await persist(decision, 'corr-race');
    const reply = reservedReply(orderId);
    const subscription = sagaSubscriptions({ contracts, policy, now: () => T0 }).find(
      (s) => s.contract.type === reply.type,
    );
    if (!subscription) throw new Error('no handler for InventoryReserved');
    const handle = (tx: Queryable) => subscription.handle(reply.payload, context(tx, orderId));

    // The winner holds the row; the loser reads version 1 and waits on its UPDATE.
    const winner = await db.pool.connect();
    try {
      await winner.query('BEGIN');
      await winner.query('SELECT 1 FROM order_saga WHERE order_id = $1 FOR UPDATE', [orderId]);
      const loser = inTransaction(handle);
      loser.catch(() => undefined); // asserted below; keeps the rejection handled meanwhile
      await eventually('the loser blocked on the row lock', async () => {
        const { rowCount } = await db.pool.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (rowCount === 0) throw new Error('not waiting yet');
      });
      await recordDecision(
        winner,
        (m) => messaging.publisher.publish(winner, m),
        contracts,
        decision.state,
        decide(decision.state, reply, T0),
      );
      await winner.query('COMMIT');
      await expect(loser).rejects.toMatchObject({ name: 'SagaConflictError', retryable: true });
    } finally {
      winner.release();
    }

    // The consumer's retry: a fresh transaction reads version 2, where the reply is a duplicate.
    await inTransaction(handle);
    expect((await findSaga(db.pool, orderId))?.state).toMatchObject({
      version: 2,
      current: 'PROCESS_PAYMENT',
    });
    const sent = (await outbox(orderId)).filter((r) => r.type === 'saga.ProcessPayment');
    expect(sent).toHaveLength(1);
  });
});
