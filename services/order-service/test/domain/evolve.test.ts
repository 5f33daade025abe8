import { describe, expect, it } from '@jest/globals';
import {
  evolve,
  initialOrderState,
  isFinal,
  upcastSnapshot,
  type OrderState,
} from '../../src/domain/index.js';
import { cancel, complete, given, NOW, park, placeOrder, step } from './fixtures.js';

const at = NOW.toISOString();

describe('evolve', () => {
  it('starts with no order at version 0', () => {
    expect(initialOrderState()).toEqual({ status: 'NONE', version: 0 });
  });

  it('OrderPlaced makes a PENDING order with its lines and nothing priced yet', () => {
    const { type: _type, ...placed } = placeOrder();
    expect(given(placeOrder())).toEqual({
      ...placed,
      status: 'PENDING',
      placedAt: at,
      pricedLines: null,
      totalMinor: null,
      currency: null,
      trackingNumber: null,
      steps: [],
      cancellation: null,
      parking: null,
      finalAt: null,
      version: 1,
    });
  });

  it('StepRecorded appends to the step log in order', () => {
    const state = given(placeOrder(), step('STARTED'), step('SUCCEEDED'));
    expect(state).toMatchObject({ status: 'PENDING', version: 3 });
    expect(state.status !== 'NONE' && state.steps.map((s) => s.status)).toEqual([
      'STARTED',
      'SUCCEEDED',
    ]);
  });

  it('OrderCompleted keeps the priced lines, total and tracking number', () => {
    expect(given(placeOrder(), step('STARTED'), complete)).toMatchObject({
      status: 'COMPLETED',
      pricedLines: [
        { sku: 'SKU-1', lineAmountMinor: 1000 },
        { sku: 'SKU-2', lineAmountMinor: 250 },
      ],
      totalMinor: 1250,
      currency: 'EUR',
      trackingNumber: 'TRK-1',
      finalAt: at,
      version: 3,
    });
  });

  it('OrderCancelled keeps the reason; nothing charged when the event says nothing', () => {
    expect(given(placeOrder(), cancel)).toMatchObject({
      status: 'CANCELLED',
      cancellation: {
        reason: 'PAYMENT_DECLINED',
        failedStep: 'PROCESS_PAYMENT',
        detail: 'insufficient funds',
        chargedMinor: 0,
        refundedMinor: 0,
      },
      pricedLines: null,
      totalMinor: null,
      version: 2,
    });
  });

  it('OrderCancelled shows the priced total and what was charged and refunded', () => {
    const refunded = {
      ...cancel,
      totalMinor: 1250,
      currency: 'EUR',
      chargedMinor: 1250,
      refundedMinor: 1250,
    };
    expect(given(placeOrder(), refunded)).toMatchObject({
      totalMinor: 1250,
      currency: 'EUR',
      cancellation: { chargedMinor: 1250, refundedMinor: 1250 },
    });
  });

  it('OrderParked needs attention and says why', () => {
    expect(given(placeOrder(), park)).toMatchObject({
      status: 'FAILED_NEEDS_ATTENTION',
      parking: { step: 'PROCESS_PAYMENT', reason: 'refund keeps failing' },
      version: 2,
    });
  });

  it('only the three outcomes are final', () => {
    expect([given(), given(placeOrder())].map(isFinal)).toEqual([false, false]);
    expect([complete, cancel, park].map((c) => isFinal(given(placeOrder(), c)))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('is pure: the previous state is left untouched', () => {
    const before = given(placeOrder());
    const snapshot = structuredClone(before);
    const after = evolve(before, {
      type: 'StepRecorded',
      step: 'PROCESS_PAYMENT',
      status: 'STARTED',
      at,
      detail: null,
    });
    expect(before).toEqual(snapshot);
    expect(after).not.toBe(before);
  });

  it('survives a JSON round trip unchanged, as a snapshot must', () => {
    const state: OrderState = given(placeOrder(), step('STARTED'), complete);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('upcastSnapshot', () => {
  it('gives a cancellation saved before SagaCancelled v2 its money (nothing charged)', () => {
    const cancelled = given(placeOrder(), cancel);
    if (cancelled.status === 'NONE' || cancelled.cancellation === null) throw new Error('setup');
    const { chargedMinor: _c, refundedMinor: _r, ...old } = cancelled.cancellation;
    const saved = { ...cancelled, cancellation: old } as unknown as OrderState;
    expect(upcastSnapshot(saved)).toEqual(cancelled);
    expect(upcastSnapshot(cancelled)).toEqual(cancelled);
    expect(upcastSnapshot(initialOrderState())).toEqual(initialOrderState());
  });
});
