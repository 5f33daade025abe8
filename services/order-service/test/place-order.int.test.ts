import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { OrderResource } from '../src/handlers/order-resource.js';
import { startHarness, validBody, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function eventCount(): Promise<number> {
  const { rows } = await h.orderDb.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
  return Number(rows[0]?.n);
}

describe('POST /orders', () => {
  it('answers 202 with Location and the order, and publishes OrderPlaced with the correlation id', async () => {
    const body = validBody();
    const correlationId = `test-${randomUUID()}`;
    const response = await h.post(body, { 'x-correlation-id': correlationId });
    expect(response.statusCode).toBe(202);
    const order = response.json<OrderResource>();
    expect(response.headers.location).toBe(`/orders/${order.orderId}`);
    expect(order).toMatchObject({
      customerId: body.customerId,
      status: 'PENDING',
      channel: 'API',
      lines: body.items,
      total: null,
      steps: [],
      version: 1,
    });

    const record = await h.receivedFor(order.orderId, 'orders.OrderPlaced');
    expect(record.envelope.correlationId).toBe(correlationId);
    expect(record.envelope.subject).toBe(order.orderId);
    expect(record.payload).toEqual({
      orderId: order.orderId,
      customerId: body.customerId,
      lines: body.items,
      shippingAddress: { ...body.shippingAddress, line2: null },
      channel: 'API',
      paymentToken: body.payment.token,
    });
    expect(await h.getOrder(order.orderId)).toEqual(order);
  });

  it('generates a correlation id when the request has none and still carries it to Kafka', async () => {
    const response = await h.post(validBody());
    const { orderId } = response.json<OrderResource>();
    const correlationId = response.headers['x-correlation-id'];
    expect(typeof correlationId).toBe('string');
    const record = await h.receivedFor(orderId, 'orders.OrderPlaced');
    expect(record.envelope.correlationId).toBe(correlationId);
  });

  it('places one order for the same Idempotency-Key and body, and refuses another body with 422', async () => {
    const key = `key-${randomUUID()}`;
    const body = validBody();
    const first = await h.post(body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    // The same JSON with its keys in another order is the same request.
    const reordered = {
      shippingAddress: body.shippingAddress,
      payment: body.payment,
      items: body.items,
      customerId: body.customerId,
    };
    const again = await h.post(reordered, { 'idempotency-key': key });
    expect(again.statusCode).toBe(200);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());

    const other = await h.post(
      { ...body, items: [{ sku: 'MONITOR-27', quantity: 1 }] },
      {
        'idempotency-key': key,
      },
    );
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.json()).toMatchObject({
      status: 422,
      type: 'urn:orderflow:problem:idempotency-key-reused',
    });

    const { rows } = await h.orderDb.pool.query(
      'SELECT order_id FROM orders_view WHERE customer_id = $1',
      [body.customerId],
    );
    expect(rows).toHaveLength(1);
    const outbox = await h.orderDb.pool.query(
      "SELECT 1 FROM outbox WHERE message_type = 'orders.OrderPlaced' AND message_key = $1",
      [first.json<OrderResource>().orderId],
    );
    expect(outbox.rowCount).toBe(1);
  });

  it('places exactly one order when the same key races with itself', async () => {
    const key = `key-${randomUUID()}`;
    const body = validBody();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => h.post(body, { 'idempotency-key': key })),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 202]);
    expect(new Set(responses.map((r) => r.headers.location)).size).toBe(1);
  });

  const big = 'x'.repeat(2 * 1024 * 1024);
  const malformed: [string, string | Record<string, unknown>, Record<string, string>, number][] = [
    ['bad JSON', '{"customerId": "c1", "items": [', {}, 400],
    ['an empty body', '', {}, 400],
    ['a JSON array', '[]', {}, 400],
    ['a wrong type', { ...validBody(), customerId: 42 }, {}, 400],
    [
      'a string quantity',
      { ...validBody(), items: [{ sku: 'MONITOR-27', quantity: '1' }] },
      {},
      400,
    ],
    [
      'a fractional quantity',
      { ...validBody(), items: [{ sku: 'MONITOR-27', quantity: 1.5 }] },
      {},
      400,
    ],
    ['a zero quantity', { ...validBody(), items: [{ sku: 'MONITOR-27', quantity: 0 }] }, {}, 400],
    [
      'a negative quantity',
      { ...validBody(), items: [{ sku: 'MONITOR-27', quantity: -3 }] },
      {},
      400,
    ],
    ['no items', { ...validBody(), items: [] }, {}, 400],
    [
      'too many items',
      {
        ...validBody(),
        items: Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })),
      },
      {},
      400,
    ],
    ['an unknown top-level field', { ...validBody(), coupon: 'FREE' }, {}, 400],
    [
      'a client price',
      { ...validBody(), items: [{ sku: 'MONITOR-27', quantity: 1, priceMinor: 1 }] },
      {},
      400,
    ],
    ['a total', { ...validBody(), total: 1 }, {}, 400],
    ['an unknown payment field', { ...validBody(), payment: { token: 't', amount: 5 } }, {}, 400],
    [
      'a bad country',
      { ...validBody(), shippingAddress: { ...validBody().shippingAddress, country: 'Germany' } },
      {},
      400,
    ],
    ['a missing address', { ...validBody(), shippingAddress: undefined }, {}, 400],
    ['a 2 MiB body', { ...validBody(), customerId: big }, {}, 413],
    ['text/plain', JSON.stringify(validBody()), { 'content-type': 'text/plain' }, 415],
    ['form data', 'customerId=c1', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['an empty Idempotency-Key', validBody(), { 'idempotency-key': '' }, 400],
    // Valid JSON the schema accepts but Postgres cannot store (jsonb): these used to answer 500.
    ['a NUL in the customer id', { ...validBody(), customerId: 'c\u0000' }, {}, 400],
    [
      'an unpaired surrogate in the address',
      { ...validBody(), shippingAddress: { ...validBody().shippingAddress, city: 'Par\ud800' } },
      {},
      400,
    ],
    [
      'duplicate SKU lines',
      {
        ...validBody(),
        items: [
          { sku: 'A-1', quantity: 1 },
          { sku: 'A-1', quantity: 2 },
        ],
      },
      {},
      422,
    ],
  ];

  it.each(malformed)(
    'refuses %s with a 4xx problem and places nothing',
    async (_, body, headers, status) => {
      const before = await eventCount();
      const response = await h.post(body, headers);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status, instance: '/orders' });
      expect(await eventCount()).toBe(before);
    },
  );

  it('names every failing field of an invalid body', async () => {
    const response = await h.post({
      customerId: '',
      items: [{ sku: 'MONITOR-27', quantity: 0, price: 1 }],
      payment: {},
      shippingAddress: { ...validBody().shippingAddress, country: 'de' },
    });
    expect(response.statusCode).toBe(400);
    const paths = response
      .json<{ errors: { path: string }[] }>()
      .errors.map((e) => e.path)
      .sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'body/customerId',
        'body/items/0',
        'body/items/0/quantity',
        'body/payment',
        'body/shippingAddress/country',
      ]),
    );
  });
});
