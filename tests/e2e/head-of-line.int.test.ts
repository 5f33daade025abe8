import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson, orderRequest, placeOrder, settled } from './platform.js';

interface TimedOrder {
  orderId: string;
  status: string;
  placedAt: string;
  finalAt: string | null;
  cancellation: { reason: string; failedStep?: string } | null;
}

/** Placed → final, from the order's own timestamps (the service's clock, not the test's). */
async function placedToFinalMs(orderId: string): Promise<number> {
  await settled(orderId);
  const { body } = await getJson<TimedOrder>('order-service', `/orders/${orderId}`);
  if (!body.finalAt) throw new Error(`order ${orderId} has no finalAt`);
  return Date.parse(body.finalAt) - Date.parse(body.placedAt);
}

/**
 * One slow payment must not hold up unrelated orders: the gateway is called outside every
 * transaction with only its own order's key held (payment-service, ctx.defer).
 */
describe('head-of-line blocking end to end', () => {
  it('an order placed 1.5 s after one with a 20 s gateway call completes at once; the slow one later', async () => {
    const slow = await placeOrder(orderRequest({ payment: { token: 'tok_slow_20000' } }));
    await sleep(1_500);
    const fast = await placeOrder(orderRequest({ payment: { token: 'tok_approve' } }));

    const fastOrder = await settled(fast.body.orderId);
    expect(fastOrder.status).toBe('COMPLETED');
    expect(await placedToFinalMs(fast.body.orderId)).toBeLessThanOrEqual(2_000);

    // Past the gateway's 8 s call timeout and the saga's first 15 s wait: payment retries the
    // call (same idempotency key) and the saga re-sends, both well inside the 90 s step deadline.
    const slowOrder = await settled(slow.body.orderId);
    expect(slowOrder.status).toBe('COMPLETED');
    expect(await placedToFinalMs(slow.body.orderId)).toBeGreaterThan(15_000);
  });

  it('a slow payment that answers inside its deadline completes, after the order placed behind it', async () => {
    const slow = await placeOrder(orderRequest({ payment: { token: 'tok_slow_5000' } }));
    await sleep(1_500);
    const fast = await placeOrder(orderRequest({ payment: { token: 'tok_approve' } }));

    expect((await settled(fast.body.orderId)).status).toBe('COMPLETED');
    expect(await placedToFinalMs(fast.body.orderId)).toBeLessThanOrEqual(2_000);
    expect((await settled(slow.body.orderId)).status).toBe('COMPLETED');
  });
});
