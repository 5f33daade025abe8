import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createKafka, silentLogger } from '@orderflow/messaging';
import { readDlq } from '@orderflow/messaging/dlq';
import { eventually, testEnvironment } from '@orderflow/testkit';
import type { HistoryEntry, OrderResource } from '../src/handlers/order-resource.js';
import { startHarness, validBody, type Harness } from './harness.js';

let h: Harness;
const brokers = testEnvironment().kafkaBrokers.split(',');

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const T0 = Date.parse('2026-11-23T10:00:00.000Z');

function step(orderId: string, i: number, stepName: string, status: string, detail?: string) {
  return h.sagaSends(h.contracts.stepChanged, {
    orderId,
    step: stepName,
    status,
    at: T0 + i * 1000,
    detail: detail ?? null,
  });
}

/** Waits until the order has folded `version` events. */
async function orderAt(orderId: string, version: number): Promise<OrderResource> {
  return eventually(`order ${orderId} at version ${version}`, async () => {
    const order = await h.getOrder(orderId);
    if (order.version < version) throw new Error(`at version ${order.version}`);
    return order;
  });
}

async function history(orderId: string): Promise<HistoryEntry[]> {
  const response = await h.app.http.inject({
    headers: h.admin,
    method: 'GET',
    url: `/orders/${orderId}/history`,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ events: HistoryEntry[] }>().events;
}

describe('saga events update the order', () => {
  it('logs each step and completes the order with its total; OrderCompleted goes out', async () => {
    const { orderId } = await h.placed();
    await step(orderId, 0, 'RESERVE_INVENTORY', 'STARTED');
    await step(orderId, 1, 'RESERVE_INVENTORY', 'SUCCEEDED');
    const paid = await step(orderId, 2, 'PROCESS_PAYMENT', 'STARTED');
    // A redelivered step (a new message with the same entry) is logged once.
    await step(orderId, 2, 'PROCESS_PAYMENT', 'STARTED');
    await h.sagaSends(h.contracts.sagaCompleted, {
      orderId,
      amountMinor: 20997,
      currency: 'EUR',
      trackingNumber: 'TRK-1',
    });
    const order = await orderAt(orderId, 5);
    expect(order).toMatchObject({
      status: 'COMPLETED',
      total: { amountMinor: 20997, currency: 'EUR' },
      trackingNumber: 'TRK-1',
      cancellation: null,
    });
    expect(order.steps).toEqual([
      {
        step: 'RESERVE_INVENTORY',
        status: 'STARTED',
        at: new Date(T0).toISOString(),
        detail: null,
      },
      {
        step: 'RESERVE_INVENTORY',
        status: 'SUCCEEDED',
        at: new Date(T0 + 1000).toISOString(),
        detail: null,
      },
      {
        step: 'PROCESS_PAYMENT',
        status: 'STARTED',
        at: new Date(T0 + 2000).toISOString(),
        detail: null,
      },
    ]);
    const completed = await h.receivedFor(orderId, 'orders.OrderCompleted');
    expect(completed.payload).toEqual({
      orderId,
      amountMinor: 20997,
      currency: 'EUR',
      trackingNumber: 'TRK-1',
    });

    const events = await history(orderId);
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderPlaced'],
      [2, 'StepRecorded'],
      [3, 'StepRecorded'],
      [4, 'StepRecorded'],
      [5, 'OrderCompleted'],
    ]);
    // Each appended event records the saga message that caused it.
    expect(events[3]?.metadata).toMatchObject({
      causationId: paid.id,
      correlationId: paid.correlationId,
      messageType: 'saga.SagaStepChanged',
    });

    const { rows } = await h.orderDb.pool.query(
      'SELECT status, total, currency, version FROM orders_view WHERE order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ status: 'COMPLETED', total: '20997', currency: 'EUR', version: 5 }]);
  });

  it('records one SagaStepsChanged (one saga decision) as its entries, in order, once', async () => {
    const { orderId } = await h.placed();
    const entries = [
      { step: 'RESERVE_INVENTORY', status: 'SUCCEEDED', at: T0 + 1000, detail: null },
      { step: 'PROCESS_PAYMENT', status: 'STARTED', at: T0 + 1000, detail: null },
    ];
    const decision = await h.sagaSends(h.contracts.stepsChanged, { orderId, entries });
    // A redelivery of the same decision (a new record id, as a replay makes) adds nothing.
    await h.sagaSends(h.contracts.stepsChanged, { orderId, entries });
    await h.sagaSends(h.contracts.sagaParked, {
      orderId,
      step: 'PROCESS_PAYMENT',
      attempts: 1,
      lastError: 'marker: every record before it is handled',
    });
    const order = await orderAt(orderId, 4);
    expect(order.steps).toEqual(entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    const events = await history(orderId);
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderPlaced'],
      [2, 'StepRecorded'],
      [3, 'StepRecorded'],
      [4, 'OrderParked'],
    ]);
    // Both entries were appended by the one record that carried them.
    for (const e of events.slice(1, 3)) {
      expect(e.metadata).toMatchObject({
        causationId: decision.id,
        messageType: 'saga.SagaStepsChanged',
      });
    }
  });

  it('cancels the order with the reason and failed step; OrderCancelled goes out', async () => {
    const { orderId } = await h.placed();
    await step(orderId, 0, 'RESERVE_INVENTORY', 'FAILED', 'LAPTOP-STAND short');
    await h.sagaSends(h.contracts.sagaCancelled, {
      orderId,
      reason: 'OUT_OF_STOCK',
      failedStep: 'RESERVE_INVENTORY',
      detail: 'LAPTOP-STAND short',
    });
    const order = await orderAt(orderId, 3);
    expect(order).toMatchObject({
      status: 'CANCELLED',
      total: null,
      cancellation: {
        reason: 'OUT_OF_STOCK',
        failedStep: 'RESERVE_INVENTORY',
        detail: 'LAPTOP-STAND short',
      },
    });
    expect(order.steps).toHaveLength(1);
    const cancelled = await h.receivedFor(orderId, 'orders.OrderCancelled');
    expect(cancelled.payload).toEqual({
      orderId,
      reason: 'OUT_OF_STOCK',
      detail: 'LAPTOP-STAND short',
    });
  });

  it('parks the order for an operator when the saga parks', async () => {
    const { orderId } = await h.placed();
    await h.sagaSends(h.contracts.sagaParked, {
      orderId,
      step: 'PROCESS_PAYMENT',
      attempts: 5,
      lastError: 'gateway unreachable',
    });
    const order = await orderAt(orderId, 2);
    expect(order.status).toBe('FAILED_NEEDS_ATTENTION');
    expect(order.parking).toEqual({
      step: 'PROCESS_PAYMENT',
      reason: 'compensation failed after 5 attempt(s): gateway unreachable',
    });
  });

  it('refuses an outcome that contradicts the recorded one and keeps the order as it was', async () => {
    const { orderId } = await h.placed();
    await h.sagaSends(h.contracts.sagaCompleted, {
      orderId,
      amountMinor: 100,
      currency: 'EUR',
      trackingNumber: 'TRK-2',
    });
    await orderAt(orderId, 2);
    const contradiction = await h.sagaSends(h.contracts.sagaCancelled, {
      orderId,
      reason: 'OTHER',
      failedStep: 'SCHEDULE_SHIPMENT',
      detail: 'late',
    });
    // A later entry for the same order is consumed after the refused one (same key, same
    // partition), so once its inbox row commits the refusal has been dealt with.
    const later = await step(orderId, 9, 'SCHEDULE_SHIPMENT', 'SUCCEEDED');
    await eventually('the later step consumed', async () => {
      const { rowCount } = await h.orderDb.pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [
        later.id,
      ]);
      if (rowCount !== 1) throw new Error('not yet');
    });
    const order = await h.getOrder(orderId);
    expect(order.status).toBe('COMPLETED');
    // The refused outcome added nothing; the later step entry is part of the order's story.
    expect(order.version).toBe(3);
    expect(order.steps.at(-1)).toMatchObject({ step: 'SCHEDULE_SHIPMENT', status: 'SUCCEEDED' });
    const { rowCount } = await h.orderDb.pool.query(
      'SELECT 1 FROM events WHERE metadata->>$1 = $2',
      ['causationId', contradiction.id],
    );
    expect(rowCount).toBe(0);
    expect(
      h
        .received()
        .filter((r) => r.key === orderId)
        .map((r) => r.type),
    ).not.toContain('orders.OrderCancelled');
    // ...and it is in the DLQ, not retried, with its origin for an operator.
    const kafka = createKafka({ brokers, clientId: 'dlq-reader', logger: silentLogger });
    const dead = await eventually('the refusal in the DLQ', async () => {
      const records = await readDlq(kafka, h.sagaDlqTopic, { key: orderId });
      if (records.length === 0) throw new Error('not yet');
      return records;
    });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      type: 'saga.SagaCancelled',
      errorClass: 'NonRetryableError',
      attempts: 1,
    });
    expect(dead[0]?.errorMessage).toMatch(/COMPLETED/);
  });
});

describe('GET /orders/:id as of a version, and its history', () => {
  it('rebuilds the order as it was at each version, through snapshots', async () => {
    const { orderId } = await h.placed();
    for (let i = 0; i < 5; i++) await step(orderId, i, 'RESERVE_INVENTORY', 'STARTED', `try ${i}`);
    await orderAt(orderId, 6);
    const { rows } = await h.orderDb.pool.query<{ version: number }>(
      'SELECT version FROM snapshots WHERE stream_id = $1 ORDER BY version',
      [`order-${orderId}`],
    );
    expect(rows.map((r) => r.version)).toEqual([3, 6]); // SNAPSHOT_EVERY=3 in the harness
    const first = await h.getOrder(orderId, '?asOf=1');
    expect(first).toMatchObject({ status: 'PENDING', steps: [], version: 1 });
    for (let v = 2; v <= 6; v++) {
      const asOf = await h.getOrder(orderId, `?asOf=${v}`);
      expect({ v, steps: asOf.steps.map((s) => s.detail) }).toEqual({
        v,
        steps: Array.from({ length: v - 1 }, (_, i) => `try ${i}`),
      });
    }
    expect(await h.getOrder(orderId, '?asOf=6')).toEqual(await h.getOrder(orderId));
  });

  it.each(['0', '7', 'abc', '-1', '1.5'])('answers asOf=%s with a 400 problem', async (asOf) => {
    const { orderId } = await h.placed();
    const response = await h.app.http.inject({
      headers: h.admin,
      method: 'GET',
      url: `/orders/${orderId}?asOf=${asOf}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unknown order with 404 problems', async () => {
    for (const url of [`/orders/${randomUUID()}`, `/orders/${randomUUID()}/history`]) {
      const response = await h.app.http.inject({ headers: h.admin, method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('GET /orders', () => {
  interface Page {
    items: { orderId: string; status: string; customerId: string; createdAt: string }[];
    nextCursor: string | null;
  }
  async function page(query: string): Promise<Page> {
    const response = await h.app.http.inject({
      headers: h.admin,
      method: 'GET',
      url: `/orders?${query}`,
    });
    expect(response.statusCode).toBe(200);
    return response.json<Page>();
  }

  it('pages through one customer newest first without gaps or repeats, and filters by status', async () => {
    const customerId = `customer-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.placed(validBody(customerId))).orderId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: Page = await page(
        `customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...result.items.map((o) => o.orderId));
      cursor = result.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual([...ids].sort());
    // Pages concatenate to the one-page listing: newest first on (created_at, order_id).
    const all = await page(`customerId=${customerId}&limit=100`);
    expect(seen).toEqual(all.items.map((o) => o.orderId));
    const created = all.items.map((o) => o.createdAt);
    expect(created).toEqual([...created].sort().reverse());

    await h.sagaSends(h.contracts.sagaCancelled, {
      orderId: ids[0],
      reason: 'PAYMENT_DECLINED',
      failedStep: 'PROCESS_PAYMENT',
      detail: 'insufficient funds',
    });
    await orderAt(ids[0] ?? '', 2);
    const cancelled = await page(`customerId=${customerId}&status=CANCELLED`);
    expect(cancelled.items.map((o) => o.orderId)).toEqual([ids[0]]);
    expect(cancelled.nextCursor).toBeNull();
    const pending = await page(`customerId=${customerId}&status=PENDING&limit=100`);
    expect(pending.items).toHaveLength(4);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=ten',
    'cursor=not-a-cursor',
    'status=LOST',
    'colour=red',
    'customerId=%00', // Postgres cannot compare text with U+0000: this used to answer 500
  ])('answers %s with a 400 problem', async (query) => {
    const response = await h.app.http.inject({
      headers: h.admin,
      method: 'GET',
      url: `/orders?${query}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
