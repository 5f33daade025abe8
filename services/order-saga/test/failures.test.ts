import { describe, expect, it } from '@jest/globals';
import { ORDER_ID, Run, msg } from './fixtures.js';

describe('order saga: business failures compensate completed steps in reverse', () => {
  it('out of stock: no payment command, cancelled with the reason and the short SKUs', () => {
    const run = new Run();
    const d = run.feed(msg.rejected());
    expect(run.commandTypes()).toEqual(['saga.ReserveInventory']);
    expect(d.events.at(-1)).toEqual({
      type: 'saga.SagaCancelled',
      payload: {
        orderId: ORDER_ID,
        reason: 'OUT_OF_STOCK',
        failedStep: 'RESERVE_INVENTORY',
        detail: 'inventory rejected the reservation (OUT_OF_STOCK): SKU-1',
        amountMinor: null,
        currency: null,
        chargedMinor: 0,
        refundedMinor: 0,
      },
    });
    expect(run.state).toMatchObject({ status: 'CANCELLED', deadline: null, current: null });
    expect(run.logLines()).toEqual(['RESERVE_INVENTORY:STARTED', 'RESERVE_INVENTORY:FAILED']);
  });

  it('payment declined: ReleaseInventory, then cancelled once the release is confirmed', () => {
    const run = new Run();
    const d = run.feed(msg.reserved(), msg.declined());
    expect(d.commands).toEqual([
      { type: 'saga.ReleaseInventory', attempt: 1, payload: { orderId: ORDER_ID } },
    ]);
    expect(run.state.status).toBe('COMPENSATING');
    expect(run.outcomes()).toEqual([]);

    run.feed(msg.released());
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.events.at(-1)?.payload).toMatchObject({
      reason: 'PAYMENT_DECLINED',
      failedStep: 'PROCESS_PAYMENT',
      detail: 'payment declined (INSUFFICIENT_FUNDS)',
    });
    expect(run.state.status).toBe('CANCELLED');
    expect(run.commandTypes()).not.toContain('saga.RefundPayment');
  });

  it('shipping rejected: RestockInventory then RefundPayment (reverse of steps 3, 2), no release', () => {
    const run = new Run();
    const failed = run.feed(msg.reserved(), msg.captured(), msg.committed(), msg.shipRejected());
    // Step 3 is undone first; its restock also undoes step 1's reservation (see pushCompensation).
    expect(failed.commands).toEqual([
      { type: 'saga.RestockInventory', attempt: 1, payload: { orderId: ORDER_ID } },
    ]);

    const afterRestock = run.feed(msg.restocked());
    expect(afterRestock.commands).toEqual([
      {
        type: 'saga.RefundPayment',
        attempt: 1,
        payload: { orderId: ORDER_ID, amountMinor: 2500, currency: 'EUR' },
      },
    ]);
    expect(run.outcomes()).toEqual([]); // not cancelled before both confirmations

    run.feed(msg.refunded());
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.events.at(-1)?.payload).toMatchObject({
      reason: 'SHIPPING_REJECTED',
      failedStep: 'SCHEDULE_SHIPMENT',
      // What the order shows: the priced total, charged and refunded in full.
      amountMinor: 2500,
      currency: 'EUR',
      chargedMinor: 2500,
      refundedMinor: 2500,
    });
    expect(run.commandTypes()).not.toContain('saga.ReleaseInventory');
    expect(run.logLines().slice(-6)).toEqual([
      'SCHEDULE_SHIPMENT:STARTED',
      'SCHEDULE_SHIPMENT:FAILED',
      'COMMIT_INVENTORY:COMPENSATING',
      'COMMIT_INVENTORY:COMPENSATED',
      'PROCESS_PAYMENT:COMPENSATING',
      'PROCESS_PAYMENT:COMPENSATED',
    ]);
  });

  it('waits for the compensation in flight: a confirmation out of order is not taken for it', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured(), msg.committed(), msg.shipRejected());
    const d = run.feed(msg.refunded()); // refund was never sent yet
    expect(d.ignored).toBe('unexpected');
    expect(run.state.compensating?.step).toBe('COMMIT_INVENTORY');
  });

  it('keeps the first failure as the cancellation reason', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.declined(), msg.released());
    expect(run.state.failure).toEqual({
      step: 'PROCESS_PAYMENT',
      reason: 'PAYMENT_DECLINED',
      detail: 'payment declined (INSUFFICIENT_FUNDS)',
    });
  });
});
