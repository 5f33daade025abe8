import { describe, expect, it } from '@jest/globals';
import { decide, initialOrderState, type OrderCommand } from '../../src/domain/index.js';
import { cancel, complete, eventsOf, given, NOW, park, placeOrder, step } from './fixtures.js';

const refusal = (state: ReturnType<typeof given>, command: OrderCommand) => {
  const decision = decide(state, command, NOW);
  return decision.ok ? null : decision.error;
};

describe('decide: PlaceOrder', () => {
  it('places a new order, stamped with the time passed in', () => {
    const { type: _type, ...payload } = placeOrder();
    expect(eventsOf(decide(initialOrderState(), placeOrder(), NOW))).toEqual([
      { ...payload, type: 'OrderPlaced', placedAt: '2026-01-02T03:04:05.000Z' },
    ]);
  });

  it('refuses to place an order twice', () => {
    expect(refusal(given(placeOrder()), placeOrder())).toMatchObject({
      code: 'ORDER_ALREADY_PLACED',
      httpStatus: 409,
      retryable: false,
    });
  });

  it.each([
    ['no lines', placeOrder({ lines: [] })],
    ['zero quantity', placeOrder({ lines: [{ sku: 'SKU-1', quantity: 0 }] })],
    ['fractional quantity', placeOrder({ lines: [{ sku: 'SKU-1', quantity: 1.5 }] })],
    ['empty sku', placeOrder({ lines: [{ sku: '', quantity: 1 }] })],
    [
      'duplicate sku',
      placeOrder({
        lines: [
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 2 },
        ],
      }),
    ],
    ['no customer', placeOrder({ customerId: '' })],
  ])('refuses an invalid order: %s', (_case, command) => {
    expect(refusal(initialOrderState(), command)).toMatchObject({
      code: 'INVALID_ORDER',
      httpStatus: 422,
    });
  });
});

describe('decide: saga updates', () => {
  it.each([step('STARTED'), complete, cancel, park])(
    'refuses $type for an order that does not exist',
    (command) => {
      expect(refusal(initialOrderState(), command)).toMatchObject({
        code: 'ORDER_NOT_FOUND',
        httpStatus: 404,
      });
    },
  );

  it("records one saga decision's entries in order, skipping those already logged", () => {
    const entry = (status: 'STARTED' | 'SUCCEEDED', at = NOW.toISOString()) => ({
      step: 'RESERVE_INVENTORY' as const,
      status,
      at,
      detail: null,
    });
    const logged = given(placeOrder(), step('STARTED'));
    const later = '2026-01-02T03:04:06.000Z';
    const decision = decide(
      logged,
      {
        type: 'RecordSteps',
        // STARTED is a redelivery of what is logged; the second SUCCEEDED repeats the first.
        entries: [
          entry('STARTED'),
          entry('SUCCEEDED'),
          entry('SUCCEEDED'),
          entry('STARTED', later),
        ],
      },
      NOW,
    );
    expect(eventsOf(decision)).toEqual([
      { type: 'StepRecorded', ...entry('SUCCEEDED') },
      { type: 'StepRecorded', ...entry('STARTED', later) },
    ]);
    const after = given(placeOrder(), step('STARTED'), {
      type: 'RecordSteps',
      entries: [entry('SUCCEEDED'), entry('STARTED', later)],
    });
    expect(after.status === 'NONE' ? [] : after.steps.map((s) => s.status)).toEqual([
      'STARTED',
      'SUCCEEDED',
      'STARTED',
    ]);
  });

  it('records a step, and a redelivered identical step is a no-op', () => {
    const pending = given(placeOrder());
    expect(eventsOf(decide(pending, step('STARTED'), NOW))).toEqual([
      {
        type: 'StepRecorded',
        step: 'RESERVE_INVENTORY',
        status: 'STARTED',
        at: NOW.toISOString(),
        detail: null,
      },
    ]);
    const logged = given(placeOrder(), step('STARTED'));
    expect(eventsOf(decide(logged, step('STARTED'), NOW))).toEqual([]);
    expect(eventsOf(decide(logged, step('SUCCEEDED'), NOW))).toHaveLength(1);
    expect(eventsOf(decide(logged, step('STARTED', '2026-01-02T03:04:06.000Z'), NOW))).toHaveLength(
      1,
    );
  });

  it.each([
    ['Complete', 'OrderCompleted', complete, 'completedAt'],
    ['Cancel', 'OrderCancelled', cancel, 'cancelledAt'],
    ['Park', 'OrderParked', park, 'parkedAt'],
  ] as const)('%s finalises a pending order with %s', (_name, eventType, command, timeField) => {
    const [event, ...rest] = eventsOf(decide(given(placeOrder()), command, NOW));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: eventType, [timeField]: NOW.toISOString() });
  });
});

describe('decide: final orders', () => {
  const outcomes = [complete, cancel, park];

  it.each(outcomes)(
    'the same outcome again ($type) is an idempotent no-op, not an error',
    (command) => {
      expect(eventsOf(decide(given(placeOrder(), command), command, NOW))).toEqual([]);
    },
  );

  it.each(outcomes)('a late step log entry after $type is recorded, once', (command) => {
    const final = given(placeOrder(), command);
    const late = step('SUCCEEDED', '2026-12-02T12:00:05.000Z');
    const [recorded] = eventsOf(decide(final, late, NOW));
    expect(recorded).toMatchObject({ type: 'StepRecorded', status: 'SUCCEEDED' });
    const after = given(placeOrder(), command, late);
    expect(after.status).toBe(final.status); // the outcome stands
    expect(eventsOf(decide(after, late, NOW))).toEqual([]); // a redelivery adds nothing
  });

  // The two moves the saga does make between final statuses (order-saga compensation.ts).
  const follows = (first: OrderCommand, second: OrderCommand) =>
    (first.type === 'Park' && second.type === 'Cancel') ||
    (first.type === 'Cancel' && second.type === 'Park');

  it.each(
    outcomes.flatMap((first) =>
      outcomes
        .filter((o) => o !== first && !follows(first, o))
        .map((second) => [first.type, second.type, first, second] as const),
    ),
  )('after %s, a contradicting %s is refused', (_first, _second, first, second) => {
    expect(refusal(given(placeOrder(), first), second)).toMatchObject({
      code: 'ORDER_ALREADY_FINAL',
      httpStatus: 409,
      retryable: false,
    });
  });
});

describe('decide: a parked order the saga resolves', () => {
  const { type: _cancel, ...cancellation } = cancel as Extract<OrderCommand, { type: 'Cancel' }>;
  const { type: _park, ...parking } = park as Extract<OrderCommand, { type: 'Park' }>;

  it('cancels a parked order once its stuck compensation is confirmed', () => {
    expect(eventsOf(decide(given(placeOrder(), park), cancel, NOW))).toEqual([
      { ...cancellation, type: 'OrderCancelled', cancelledAt: NOW.toISOString() },
    ]);
    expect(given(placeOrder(), park, cancel)).toMatchObject({ status: 'CANCELLED', cancellation });
  });

  it('parks a cancelled order whose late effect could not be undone, and cancels it again after', () => {
    expect(given(placeOrder(), cancel, park)).toMatchObject({
      status: 'FAILED_NEEDS_ATTENTION',
      parking: { step: parking.step, reason: parking.reason },
    });
    expect(given(placeOrder(), cancel, park, cancel).status).toBe('CANCELLED');
  });
});
