import { expect } from '@jest/globals';
import {
  decide,
  start,
  type Decision,
  type Msg,
  type SagaCommand,
  type SagaEvent,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
  type SagaStep,
} from '../src/domain/index.js';

export const ORDER_ID = '0193a1b2-0000-7000-8000-000000000001';
export const T0 = 1_700_000_000_000;

/** One send per step: its first deadline is its last (most tests are about what follows). */
const once = (ms: number) => ({
  attemptTimeoutMs: ms,
  backoffCoefficient: 1,
  maxAttemptTimeoutMs: ms,
  deadlineMs: ms,
});

export const POLICY: SagaPolicy = {
  steps: {
    RESERVE_INVENTORY: once(1_000),
    PROCESS_PAYMENT: once(2_000),
    COMMIT_INVENTORY: once(3_000),
    SCHEDULE_SHIPMENT: once(4_000),
  },
  compensationTimeoutMs: {
    RESERVE_INVENTORY: 500,
    PROCESS_PAYMENT: 600,
    COMMIT_INVENTORY: 700,
    SCHEDULE_SHIPMENT: 800,
  },
  maxCompensationAttempts: 3,
};

const lines = [{ sku: 'SKU-1', quantity: 2 }];
const address = {
  name: 'Ada',
  line1: '1 Main St',
  line2: null,
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

/** Every input the saga understands, with realistic payloads for ORDER_ID. */
export const msg = {
  placed: (): Msg<'orders.OrderPlaced'> => ({
    type: 'orders.OrderPlaced',
    payload: {
      orderId: ORDER_ID,
      customerId: 'c-1',
      lines,
      shippingAddress: address,
      channel: 'WEB',
      paymentToken: 'tok_approve',
    },
  }),
  reserved: (): SagaInput => ({
    type: 'inventory.InventoryReserved',
    payload: {
      orderId: ORDER_ID,
      lines: [{ sku: 'SKU-1', quantity: 2, unitAmountMinor: 1250, lineAmountMinor: 2500 }],
      amountMinor: 2500,
      currency: 'EUR',
    },
  }),
  rejected: (): SagaInput => ({
    type: 'inventory.InventoryReservationRejected',
    payload: { orderId: ORDER_ID, reason: 'OUT_OF_STOCK', skus: ['SKU-1'] },
  }),
  released: (): SagaInput => ({
    type: 'inventory.InventoryReleased',
    payload: { orderId: ORDER_ID, lines },
  }),
  captured: (): SagaInput => ({
    type: 'payments.PaymentCaptured',
    payload: { orderId: ORDER_ID, paymentId: 'pay-1', amountMinor: 2500, currency: 'EUR' },
  }),
  declined: (): SagaInput => ({
    type: 'payments.PaymentDeclined',
    payload: {
      orderId: ORDER_ID,
      reason: 'INSUFFICIENT_FUNDS',
      amountMinor: 2500,
      currency: 'EUR',
    },
  }),
  refunded: (): SagaInput => ({
    type: 'payments.PaymentRefunded',
    payload: { orderId: ORDER_ID, paymentId: 'pay-1', amountMinor: 2500, currency: 'EUR' },
  }),
  /** The confirmation of a void: nothing had been captured. */
  voided: (): SagaInput => ({
    type: 'payments.PaymentRefunded',
    payload: { orderId: ORDER_ID, paymentId: '', amountMinor: 0, currency: 'EUR' },
  }),
  committed: (): SagaInput => ({
    type: 'inventory.InventoryCommitted',
    payload: { orderId: ORDER_ID, lines },
  }),
  restocked: (): SagaInput => ({
    type: 'inventory.InventoryRestocked',
    payload: { orderId: ORDER_ID, lines },
  }),
  scheduled: (): SagaInput => ({
    type: 'shipping.ShipmentScheduled',
    payload: { orderId: ORDER_ID, shipmentId: 'sh-1', carrier: 'DHL', trackingNumber: 'TRK-1' },
  }),
  shipRejected: (): SagaInput => ({
    type: 'shipping.ShipmentRejected',
    payload: { orderId: ORDER_ID, reason: 'UNSUPPORTED_COUNTRY', detail: 'we do not ship to DE' },
  }),
  shipCancelled: (): SagaInput => ({
    type: 'shipping.ShipmentCancelled',
    payload: { orderId: ORDER_ID, shipmentId: 'sh-1' },
  }),
  stepDeadline: (step: SagaStep, attempt = 1): SagaInput => ({
    type: 'DeadlineElapsed',
    kind: 'step',
    step,
    attempt,
  }),
  compDeadline: (step: SagaStep, attempt: number): SagaInput => ({
    type: 'DeadlineElapsed',
    kind: 'compensation',
    step,
    attempt,
  }),
  resume: (): SagaInput => ({ type: 'ResumeCompensation' }),
};

/** A saga driven through inputs; the clock ticks 10 ms per input unless a deadline needs more. */
export class Run {
  state: SagaState;
  now = T0;
  readonly decisions: Decision[] = [];

  constructor(policy: SagaPolicy = POLICY) {
    const first = start(msg.placed(), policy, this.now);
    this.state = first.state;
    this.decisions.push(first);
  }

  /** Feeds inputs in order and returns the last decision. */
  feed(...inputs: SagaInput[]): Decision {
    let last: Decision | undefined;
    for (const input of inputs) {
      this.now += 10;
      // A deadline input is only meaningful once it is due: move the clock there.
      if (input.type === 'DeadlineElapsed' && this.state.deadline !== null) {
        this.now = Math.max(this.now, this.state.deadline.dueAt);
      }
      last = decide(this.state, input, this.now);
      this.state = last.state;
      this.decisions.push(last);
    }
    if (last === undefined) throw new Error('feed() needs at least one input');
    return last;
  }

  get commands(): SagaCommand[] {
    return this.decisions.flatMap((d) => d.commands);
  }
  get events(): SagaEvent[] {
    return this.decisions.flatMap((d) => d.events);
  }
  commandTypes(): string[] {
    return this.commands.map((c) => c.type);
  }
  /** Outcome and parking events, without the step-log noise. */
  outcomes(): string[] {
    return this.events.filter((e) => e.type !== 'saga.SagaStepsChanged').map((e) => e.type);
  }
  /** The step log as `STEP:STATUS` strings, for compact assertions. */
  logLines(): string[] {
    return this.state.log.map((e) => `${e.step}:${e.status}`);
  }
}

export function expectIgnored(d: Decision, before: SagaState, reason: string): void {
  expect(d.ignored).toBe(reason);
  expect(d.state).toBe(before);
  expect(d.commands).toEqual([]);
  expect(d.events).toEqual([]);
}
