import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { eventually } from '@orderflow/testkit';
import { startConsole, type RunningConsole } from './support/console-server.js';

/**
 * The console's server against the running services and broker, through fastify's inject (and
 * one real connection for the live feed): what it passes on, what it adds, what it refuses.
 */
let running: RunningConsole;

beforeAll(async () => {
  running = await startConsole();
});

afterAll(async () => {
  await running?.close();
});

const inject = (opts: InjectOptions) => running.app.http.inject(opts);

function orderBody(overrides: Record<string, unknown> = {}) {
  return {
    customerId: `console-api-${randomUUID().slice(0, 8)}`,
    items: [{ sku: 'USB-C-CABLE', quantity: 1 }],
    payment: { token: 'tok_approve' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
    ...overrides,
  };
}

describe('console server', () => {
  it('serves the built page and its own readiness', async () => {
    const page = await inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<div id="app">');
    const ready = await inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { page: 'ok' } });
  });

  it('passes the seeded catalogue on from inventory-service', async () => {
    const response = await inject({ method: 'GET', url: '/api/catalogue' });
    expect(response.statusCode).toBe(200);
    const skus = response.json<{ items: { sku: string }[] }>().items.map((i) => i.sku);
    expect(skus).toEqual(expect.arrayContaining(['USB-C-CABLE', 'KEYBOARD-MECH', 'SOLD-OUT-MUG']));
  });

  it('places an order with a trace id of its own and shows it whole once completed', async () => {
    const placed = await inject({ method: 'POST', url: '/api/orders', payload: orderBody() });
    expect(placed.statusCode).toBe(202);
    expect(placed.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const { orderId } = placed.json<{ orderId: string }>();
    const detail = await eventually(`order ${orderId} completed in the console`, async () => {
      const response = await inject({ method: 'GET', url: `/api/orders/${orderId}` });
      const body = response.json<{ order: { status: string } }>();
      if (body.order.status !== 'COMPLETED') throw new Error(body.order.status);
      return response.json<Record<string, { status: string } & Record<string, unknown>>>();
    });
    expect(detail.saga).toMatchObject({ status: 'COMPLETED' });
    expect(detail.payment).toMatchObject({ status: 'CAPTURED' });
    expect(detail.shipment).toMatchObject({ status: 'SCHEDULED' });
  });

  it("passes order-service's refusal of an invalid order on as its problem", async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/orders',
      payload: orderBody({ items: [{ sku: 'USB-C-CABLE', quantity: 0 }] }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(response.json())).toContain('body/items/0/quantity');
  });

  it('answers an unknown order with 404 and a bad filter with 400', async () => {
    const unknown = await inject({ method: 'GET', url: `/api/orders/${randomUUID()}` });
    expect(unknown.statusCode).toBe(404);
    const bad = await inject({ method: 'GET', url: '/api/orders?status=LOST' });
    expect(bad.statusCode).toBe(400);
    const badDlq = await inject({ method: 'GET', url: '/api/dlq?topic=orders.events' });
    expect(badDlq.statusCode).toBe(400);
  });

  it('streams the order list live: a new order of the filtered customer arrives as an event', async () => {
    const customerId = `console-feed-${randomUUID().slice(0, 8)}`;
    const controller = new AbortController();
    const response = await fetch(`${running.url}/api/orders/feed?customerId=${customerId}`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('event: snapshot');
    const placed = await inject({
      method: 'POST',
      url: '/api/orders',
      payload: orderBody({ customerId }),
    });
    const { orderId } = placed.json<{ orderId: string }>();
    await readUntil(orderId);
    expect(text).toMatch(new RegExp(`event: order\\ndata: \\{"orderId":"${orderId}"`));
    controller.abort();
  });

  it('refuses to replay a DLQ record that is not there with 409, and a replay without an operator with 400', async () => {
    const gone = await inject({
      method: 'POST',
      url: '/api/dlq/replay',
      payload: {
        operator: 'tester',
        records: [
          {
            dlqTopic: 'inventory.commands.inventory-service.dlq',
            partition: 0,
            offset: '999999999',
          },
        ],
      },
    });
    expect(gone.statusCode).toBe(409);
    expect(gone.json()).toMatchObject({ type: expect.stringContaining('dlq-record-gone') });
    const anonymous = await inject({
      method: 'POST',
      url: '/api/dlq/replay',
      payload: {
        records: [
          { dlqTopic: 'inventory.commands.inventory-service.dlq', partition: 0, offset: '0' },
        ],
      },
    });
    expect(anonymous.statusCode).toBe(400);
  });

  it('reports every service ready, with the outbox figures of its /metrics, lag per group and DLQ depths', async () => {
    const response = await inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      services: {
        service: string;
        ready: boolean;
        metrics: { outboxBacklog: number | null } | null;
      }[];
      lag: { group: string; lag: number }[];
      dlq: { topic: string; count: number }[];
    }>();
    expect(body.services.map((s) => [s.service, s.ready])).toEqual(
      [
        'order-service',
        'inventory-service',
        'payment-service',
        'shipping-service',
        'order-saga',
      ].map((s) => [s, true]),
    );
    expect(body.lag.map((g) => g.group).sort()).toEqual([
      'inventory-service',
      'order-saga',
      'order-service',
      'payment-service',
      'shipping-service',
    ]);
    expect(body.dlq.length).toBeGreaterThan(0);
    for (const g of body.lag) expect(g.lag).toBeGreaterThanOrEqual(0);
  });
});
