import {
  decide,
  evolve,
  initialOrderState,
  type Decision,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
  type PlaceOrder,
} from '../../src/domain/index.js';

export const NOW = new Date('2026-01-02T03:04:05.000Z');

export const placeOrder = (overrides: Partial<PlaceOrder> = {}): PlaceOrder => ({
  type: 'PlaceOrder',
  orderId: 'o-1',
  customerId: 'c-1',
  lines: [
    { sku: 'SKU-1', quantity: 2 },
    { sku: 'SKU-2', quantity: 1 },
  ],
  shippingAddress: {
    name: 'Ada',
    line1: '1 Main St',
    line2: null,
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
  },
  channel: 'WEB',
  ...overrides,
});

export const complete: OrderCommand = {
  type: 'Complete',
  pricedLines: [
    { sku: 'SKU-1', quantity: 2, unitAmountMinor: 500, lineAmountMinor: 1000 },
    { sku: 'SKU-2', quantity: 1, unitAmountMinor: 250, lineAmountMinor: 250 },
  ],
  totalMinor: 1250,
  currency: 'EUR',
  trackingNumber: 'TRK-1',
};
export const cancel: OrderCommand = {
  type: 'Cancel',
  reason: 'PAYMENT_DECLINED',
  failedStep: 'PROCESS_PAYMENT',
  detail: 'insufficient funds',
};
export const park: OrderCommand = {
  type: 'Park',
  step: 'PROCESS_PAYMENT',
  reason: 'refund keeps failing',
};
export const step = (status: 'STARTED' | 'SUCCEEDED', at = NOW.toISOString()): OrderCommand => ({
  type: 'RecordStep',
  step: 'RESERVE_INVENTORY',
  status,
  at,
  detail: null,
});

export function eventsOf(decision: Decision): readonly OrderEvent[] {
  if (!decision.ok) throw new Error(`expected events, got ${decision.error.code}`);
  return decision.events;
}

/** Runs commands through decide and evolve, as the command handler will, failing on a refusal. */
export function given(...commands: OrderCommand[]): OrderState {
  return commands.reduce(
    (state, command) => eventsOf(decide(state, command, NOW)).reduce(evolve, state),
    initialOrderState(),
  );
}
