import { describe, expect, it } from '@jest/globals';
import { eventually } from '@orderflow/testkit';
import { getJson, orderRequest, placeOrder, settled, stock } from './platform.js';

interface PaymentView {
  status: string;
  payment: { amountMinor: number } | null;
  refund: { amountMinor: number } | null;
}

interface SagaView {
  status: string;
  steps: Record<string, string>;
  log: { step: string; status: string; detail: string | null }[];
}

/**
 * A participant that answers after its step deadline (payment's simulator told to take 17 s
 * against the saga's 15 s PROCESS_PAYMENT deadline): the saga compensates on time, and the late
 * capture that follows is undone too, so the outcome stands and nothing is left charged or held.
 */
describe('step deadlines end to end', () => {
  it('compensates a participant silent past its deadline; its late reply changes nothing', async () => {
    const sku = 'MONITOR-27';
    const before = await stock(sku);
    const placed = await placeOrder(
      orderRequest({
        items: [{ sku, quantity: 1 }],
        payment: { token: 'tok_slow_17000' },
      }),
    );
    const { orderId } = placed.body;

    const order = await settled(orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation).toMatchObject({
      reason: 'STEP_TIMEOUT',
      failedStep: 'PROCESS_PAYMENT',
    });

    // The capture lands after the cancellation; the saga refunds it and settles again.
    const saga = await eventually(
      `the saga of ${orderId} to undo the late capture`,
      async () => {
        const { body } = await getJson<SagaView>('order-saga', `/sagas/${orderId}`);
        if (body.status !== 'CANCELLED' || body.steps.PROCESS_PAYMENT !== 'COMPENSATED')
          throw new Error(`saga ${body.status}, payment step ${body.steps.PROCESS_PAYMENT}`);
        return body;
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    expect(saga.steps).toMatchObject({
      RESERVE_INVENTORY: 'COMPENSATED',
      COMMIT_INVENTORY: 'PENDING',
      SCHEDULE_SHIPMENT: 'PENDING',
    });
    const payment = (await getJson<PaymentView>('payment-service', `/payments/${orderId}`)).body;
    expect(payment.status).toBe('REFUNDED');
    expect(payment.refund?.amountMinor).toBe(payment.payment?.amountMinor);
    expect(saga.log.map((e) => `${e.step} ${e.status}`)).toContain('PROCESS_PAYMENT TIMED_OUT');

    // The order kept its outcome, and stock is back where it was.
    const after = await getJson<typeof order>('order-service', `/orders/${orderId}`);
    expect(after.body.status).toBe('CANCELLED');
    expect(after.body.cancellation).toEqual(order.cancellation);
    expect(await stock(sku)).toEqual(before);
  });
});
