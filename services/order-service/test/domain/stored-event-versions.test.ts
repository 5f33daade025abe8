import { describe, expect, it } from '@jest/globals';
import {
  decide,
  evolve,
  initialOrderState,
  type OrderEvent,
  type OrderState,
} from '../../src/domain/index.js';

/**
 * Streams recorded by earlier releases must still fold to the right state: the event store keeps
 * events as they were written (jsonb) and never rewrites them. The shapes below are the ones
 * `decide` produced at the time — OrderCancelled before 1221100 had no money fields
 * (totalMinor, currency, chargedMinor, refundedMinor), OrderCompleted from SagaCompleted v1 data
 * has no priced lines — parsed from JSON text exactly as they come back from Postgres.
 */
const PLACED_2026_11 = `{"type":"OrderPlaced","orderId":"o-old","customerId":"c-9",
  "lines":[{"sku":"SKU-1","quantity":2}],
  "shippingAddress":{"name":"Ada","line1":"1 Main St","line2":null,"city":"Paris","postalCode":"75001","country":"FR"},
  "channel":"API","placedAt":"2026-11-23T10:00:00.000Z"}`;
const STEP = (step: string, status: string, at: string) =>
  `{"type":"StepRecorded","step":"${step}","status":"${status}","at":"${at}","detail":null}`;
const CANCELLED_BEFORE_MONEY = `{"type":"OrderCancelled","reason":"PAYMENT_DECLINED",
  "failedStep":"PROCESS_PAYMENT","detail":"insufficient funds","cancelledAt":"2026-11-23T10:00:05.000Z"}`;
const COMPLETED_FROM_SAGA_V1 = `{"type":"OrderCompleted","pricedLines":[],"totalMinor":1250,
  "currency":"EUR","trackingNumber":"TRK-7","completedAt":"2026-11-23T10:00:09.000Z"}`;
const PARKED = `{"type":"OrderParked","step":"PROCESS_PAYMENT","reason":"refund keeps failing",
  "parkedAt":"2026-11-23T10:00:30.000Z"}`;

/** Folds stored rows the way the event store's rebuild does with orderAggregate. */
function replay(...rows: string[]): OrderState {
  return rows.map((row) => JSON.parse(row) as OrderEvent).reduce(evolve, initialOrderState());
}

describe('replaying events stored by earlier versions', () => {
  it('an OrderCancelled without money fields: nothing charged or refunded, no total invented', () => {
    const state = replay(
      PLACED_2026_11,
      STEP('RESERVE_INVENTORY', 'STARTED', '2026-11-23T10:00:01.000Z'),
      STEP('RESERVE_INVENTORY', 'SUCCEEDED', '2026-11-23T10:00:02.000Z'),
      CANCELLED_BEFORE_MONEY,
    );
    expect(state).toEqual({
      status: 'CANCELLED',
      orderId: 'o-old',
      customerId: 'c-9',
      lines: [{ sku: 'SKU-1', quantity: 2 }],
      shippingAddress: {
        name: 'Ada',
        line1: '1 Main St',
        line2: null,
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
      },
      channel: 'API',
      placedAt: '2026-11-23T10:00:00.000Z',
      pricedLines: null,
      totalMinor: null,
      currency: null,
      trackingNumber: null,
      steps: [
        {
          step: 'RESERVE_INVENTORY',
          status: 'STARTED',
          at: '2026-11-23T10:00:01.000Z',
          detail: null,
        },
        {
          step: 'RESERVE_INVENTORY',
          status: 'SUCCEEDED',
          at: '2026-11-23T10:00:02.000Z',
          detail: null,
        },
      ],
      cancellation: {
        reason: 'PAYMENT_DECLINED',
        failedStep: 'PROCESS_PAYMENT',
        detail: 'insufficient funds',
        chargedMinor: 0,
        refundedMinor: 0,
      },
      parking: null,
      finalAt: '2026-11-23T10:00:05.000Z',
      version: 4,
    });
  });

  it('an old OrderPlaced followed by a current OrderCancelled takes the new money fields', () => {
    const cancelledNow = JSON.stringify({
      ...(JSON.parse(CANCELLED_BEFORE_MONEY) as object),
      totalMinor: 1250,
      currency: 'EUR',
      chargedMinor: 1250,
      refundedMinor: 1250,
    });
    expect(replay(PLACED_2026_11, cancelledNow)).toMatchObject({
      status: 'CANCELLED',
      totalMinor: 1250,
      currency: 'EUR',
      cancellation: { chargedMinor: 1250, refundedMinor: 1250 },
      version: 2,
    });
  });

  it('an OrderCompleted from SagaCompleted v1 data keeps the total with no priced lines', () => {
    expect(replay(PLACED_2026_11, COMPLETED_FROM_SAGA_V1)).toMatchObject({
      status: 'COMPLETED',
      pricedLines: [],
      totalMinor: 1250,
      currency: 'EUR',
      trackingNumber: 'TRK-7',
      cancellation: null,
      finalAt: '2026-11-23T10:00:09.000Z',
      version: 2,
    });
  });

  it('an old parked stream folds to FAILED_NEEDS_ATTENTION', () => {
    expect(replay(PLACED_2026_11, PARKED)).toMatchObject({
      status: 'FAILED_NEEDS_ATTENTION',
      parking: { step: 'PROCESS_PAYMENT', reason: 'refund keeps failing' },
      version: 2,
    });
  });

  it('today’s commands apply to a state folded from old events (a late refund step after an old cancel)', () => {
    const state = replay(PLACED_2026_11, CANCELLED_BEFORE_MONEY);
    const late = decide(
      state,
      {
        type: 'RecordStep',
        step: 'PROCESS_PAYMENT',
        status: 'COMPENSATED',
        at: '2026-11-23T10:00:07.000Z',
        detail: 'refunded',
      },
      new Date('2026-12-02T00:00:00.000Z'),
    );
    if (!late.ok) throw new Error(`refused: ${late.error.code}`);
    const after = late.events.reduce(evolve, state);
    expect(after).toMatchObject({
      status: 'CANCELLED',
      cancellation: { reason: 'PAYMENT_DECLINED', chargedMinor: 0, refundedMinor: 0 },
      version: 3,
    });
    expect(after.status !== 'NONE' && after.steps.at(-1)?.status).toBe('COMPENSATED');
  });
});
