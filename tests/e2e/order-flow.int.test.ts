import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { asAdmin, getJson, orderRequest, placeOrder, settled, stock, url } from './platform.js';

/**
 * The order saga across the five real services, over HTTP and Kafka: the happy path and each
 * compensation path, with the money and stock invariants of docs/architecture.md §3.
 */
describe('order flow end to end', () => {
  it('completes an order: one capture, one stock decrement, one shipment, the step log on the order', async () => {
    const before = await stock('USB-C-CABLE');
    const placed = await placeOrder(orderRequest());
    expect(placed.status).toBe(202);
    expect(placed.location).toBe(`/orders/${placed.body.orderId}`);

    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('COMPLETED');
    expect(order.pricedLines).toEqual([
      { sku: 'USB-C-CABLE', quantity: 2, unitAmountMinor: 999, lineAmountMinor: 2 * 999 },
    ]);
    expect(order.total).toEqual({ amountMinor: 2 * 999, currency: 'EUR' });
    expect(order.trackingNumber).toMatch(/^OF\d{9}$/);
    expect(order.steps.filter((s) => s.status === 'SUCCEEDED').map((s) => s.step)).toEqual([
      'RESERVE_INVENTORY',
      'PROCESS_PAYMENT',
      'COMMIT_INVENTORY',
      'SCHEDULE_SHIPMENT',
    ]);
    const payment = await getJson<{ status: string; payment: { amountMinor: number } }>(
      'payment-service',
      `/payments/${order.orderId}`,
    );
    expect(payment.body.status).toBe('CAPTURED');
    expect(payment.body.payment.amountMinor).toBe(1998);
    const shipment = await getJson<{ status: string }>(
      'shipping-service',
      `/shipments/${order.orderId}`,
    );
    expect(shipment.body.status).toBe('SCHEDULED');
    const after = await stock('USB-C-CABLE');
    expect(after.available).toBe(before.available - 2);
    expect(after.committed).toBe(before.committed + 2);
  });

  it('cancels an out-of-stock order with its reason: no payment, no stock change', async () => {
    const before = await stock('SOLD-OUT-MUG');
    const placed = await placeOrder(
      orderRequest({ items: [{ sku: 'SOLD-OUT-MUG', quantity: 1 }] }),
    );
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation?.reason).toBe('OUT_OF_STOCK');
    expect((await getJson('payment-service', `/payments/${order.orderId}`)).status).toBe(404);
    expect(await stock('SOLD-OUT-MUG')).toEqual(before);
  });

  it('cancels a declined payment and releases the reservation: stock unchanged', async () => {
    const before = await stock('MOUSE-WIRELESS');
    // The simulated gateway's behaviour is chosen by the payment token (payment-service README).
    const placed = await placeOrder(
      orderRequest({
        payment: { token: 'tok_decline_insufficient_funds' },
        items: [{ sku: 'MOUSE-WIRELESS', quantity: 1 }],
      }),
    );
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation?.reason).toBe('PAYMENT_DECLINED');
    expect(await stock('MOUSE-WIRELESS')).toEqual(before);
  });

  it('cancels an order shipping cannot take: payment refunded, stock restored, net zero', async () => {
    const before = await stock('KEYBOARD-MECH');
    const placed = await placeOrder(
      orderRequest({
        items: [{ sku: 'KEYBOARD-MECH', quantity: 1 }],
        shippingAddress: {
          name: 'Ada',
          line1: '1-1 Chiyoda',
          city: 'Tokyo',
          postalCode: '100-0001',
          country: 'JP',
        },
      }),
    );
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation?.reason).toBe('SHIPPING_REJECTED');
    const payment = await getJson<{
      payment: { amountMinor: number };
      refund: { amountMinor: number } | null;
    }>('payment-service', `/payments/${order.orderId}`);
    expect(payment.body.refund?.amountMinor).toBe(payment.body.payment.amountMinor);
    expect(await stock('KEYBOARD-MECH')).toEqual(before);
  });

  it('retries transient payment failures and completes with exactly one capture', async () => {
    const placed = await placeOrder(orderRequest({ payment: { token: 'tok_transient_2' } }));
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('COMPLETED');
    const payment = await getJson<{ status: string; refund: unknown }>(
      'payment-service',
      `/payments/${order.orderId}`,
    );
    expect(payment.body.status).toBe('CAPTURED');
    expect(payment.body.refund).toBeNull();
  });

  it('never oversells the last units to parallel orders, and conserves stock', async () => {
    const sku = 'LAPTOP-STAND';
    const put = await fetch(url('inventory-service', `/inventory/${sku}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify({ available: 3 }),
    });
    expect(put.status).toBe(200);
    const before = await stock(sku);
    const placed = await Promise.all(
      Array.from({ length: 10 }, () => placeOrder(orderRequest({ items: [{ sku, quantity: 1 }] }))),
    );
    const orders = await Promise.all(placed.map((p) => settled(p.body.orderId)));
    expect(orders.filter((o) => o.status === 'COMPLETED')).toHaveLength(3);
    expect(
      orders
        .filter((o) => o.status === 'CANCELLED')
        .every((o) => o.cancellation?.reason === 'OUT_OF_STOCK'),
    ).toBe(true);
    const after = await stock(sku);
    expect(after).toEqual({ available: 0, reserved: 0, committed: before.committed + 3 });
    expect(after.available + after.reserved + after.committed).toBe(
      before.available + before.reserved + before.committed,
    );
  });

  it('creates one order for the same Idempotency-Key sent twice', async () => {
    const key = randomUUID();
    const first = await placeOrder(orderRequest(), { 'idempotency-key': key });
    const second = await placeOrder(orderRequest(), { 'idempotency-key': key });
    expect(second.location).toBe(first.location);
    expect(second.body.orderId).toBe(first.body.orderId);
    const other = await placeOrder(orderRequest({ customerId: 'someone-else' }), {
      'idempotency-key': key,
    });
    expect(other.status).toBe(422);
    await settled(first.body.orderId);
  });
});
