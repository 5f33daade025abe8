import { describe, expect, it } from '@jest/globals';
import {
  announcedCancelled,
  fromSagaCancelled,
  fromSagaCompleted,
  fromSagaParked,
  fromStepChanged,
  fromStepsChanged,
} from '../../src/handlers/saga-events.js';
import { cancel, given, park, placeOrder } from '../domain/fixtures.js';

describe('saga events → Order commands', () => {
  it('SagaStepChanged → RecordStep with an ISO timestamp', () => {
    expect(
      fromStepChanged({
        orderId: 'o',
        step: 'PROCESS_PAYMENT',
        status: 'FAILED',
        at: Date.parse('2026-11-23T10:00:01.500Z'),
        detail: 'declined',
      }),
    ).toEqual({
      type: 'RecordStep',
      step: 'PROCESS_PAYMENT',
      status: 'FAILED',
      at: '2026-11-23T10:00:01.500Z',
      detail: 'declined',
    });
  });

  it("SagaStepsChanged → one RecordSteps with all of the decision's entries, in order", () => {
    expect(
      fromStepsChanged({
        orderId: 'o',
        entries: [
          { step: 'RESERVE_INVENTORY', status: 'SUCCEEDED', at: 1_000, detail: null },
          { step: 'PROCESS_PAYMENT', status: 'STARTED', at: 1_000, detail: 'attempt 2' },
        ],
      }),
    ).toEqual({
      type: 'RecordSteps',
      entries: [
        {
          step: 'RESERVE_INVENTORY',
          status: 'SUCCEEDED',
          at: '1970-01-01T00:00:01.000Z',
          detail: null,
        },
        {
          step: 'PROCESS_PAYMENT',
          status: 'STARTED',
          at: '1970-01-01T00:00:01.000Z',
          detail: 'attempt 2',
        },
      ],
    });
  });

  it('SagaCompleted → Complete with the priced lines and the total', () => {
    const lines = [{ sku: 'S', quantity: 1, unitAmountMinor: 999, lineAmountMinor: 999 }];
    expect(
      fromSagaCompleted({
        orderId: 'o',
        lines,
        amountMinor: 999,
        currency: 'EUR',
        trackingNumber: 'T',
      }),
    ).toEqual({
      type: 'Complete',
      pricedLines: lines,
      totalMinor: 999,
      currency: 'EUR',
      trackingNumber: 'T',
    });
  });

  it('SagaCancelled → Cancel; SagaParked → Park with the attempts in the reason', () => {
    expect(
      fromSagaCancelled({
        orderId: 'o',
        reason: 'SHIPPING_REJECTED',
        failedStep: 'SCHEDULE_SHIPMENT',
        detail: 'XX',
        amountMinor: 2500,
        currency: 'EUR',
        chargedMinor: 2500,
        refundedMinor: 2500,
      }),
    ).toEqual({
      type: 'Cancel',
      reason: 'SHIPPING_REJECTED',
      failedStep: 'SCHEDULE_SHIPMENT',
      detail: 'XX',
      totalMinor: 2500,
      currency: 'EUR',
      chargedMinor: 2500,
      refundedMinor: 2500,
    });
    expect(
      fromSagaParked({ orderId: 'o', step: 'PROCESS_PAYMENT', attempts: 3, lastError: 'down' }),
    ).toEqual({
      type: 'Park',
      step: 'PROCESS_PAYMENT',
      reason: 'compensation failed after 3 attempt(s): down',
    });
  });
});

describe('orders.OrderCancelled', () => {
  it('is announced the first time an order is cancelled, not when a parked order is cancelled again', () => {
    expect(announcedCancelled(given(placeOrder()))).toBe(false);
    expect(announcedCancelled(given(placeOrder(), park))).toBe(false);
    expect(announcedCancelled(given(placeOrder(), cancel, park))).toBe(true);
  });
});
