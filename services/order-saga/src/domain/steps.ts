import type { ParticipantReply, SagaCommand, SagaState, SagaStep } from './types.js';

/**
 * The saga's definition as data (docs/architecture.md §3): each step's command, its compensation
 * and which replies answer it. The state machine in saga.ts never names a step directly, so
 * adding a step is a change here only.
 */
interface StepDefinition {
  readonly next: SagaStep | null;
  readonly command: SagaCommand['type'];
  readonly compensation: SagaCommand['type'];
  readonly send: (state: SagaState, attempt: number) => SagaCommand;
  readonly compensate: (state: SagaState, attempt: number) => SagaCommand;
}

export const STEP_DEFINITIONS: Readonly<Record<SagaStep, StepDefinition>> = {
  RESERVE_INVENTORY: {
    next: 'PROCESS_PAYMENT',
    command: 'saga.ReserveInventory',
    compensation: 'saga.ReleaseInventory',
    send: (s, attempt) => ({
      type: 'saga.ReserveInventory',
      attempt,
      payload: { orderId: s.orderId, lines: s.order.lines },
    }),
    compensate: (s, attempt) => ({
      type: 'saga.ReleaseInventory',
      attempt,
      payload: { orderId: s.orderId },
    }),
  },
  PROCESS_PAYMENT: {
    next: 'COMMIT_INVENTORY',
    command: 'saga.ProcessPayment',
    compensation: 'saga.RefundPayment',
    // The charged total is the one inventory priced, never anything the client sent.
    send: (s, attempt) => ({
      type: 'saga.ProcessPayment',
      attempt,
      payload: {
        orderId: s.orderId,
        customerId: s.order.customerId,
        paymentToken: s.order.paymentToken ?? null,
        amountMinor: required(s.priced, 'priced total').amountMinor,
        currency: required(s.priced, 'priced total').currency,
      },
    }),
    // Refund what was captured (it may differ from the priced total only if a participant
    // misbehaved, and then the captured amount is what makes the money net zero).
    compensate: (s, attempt) => ({
      type: 'saga.RefundPayment',
      attempt,
      payload: {
        orderId: s.orderId,
        amountMinor: required(s.payment, 'captured payment').amountMinor,
        currency: required(s.payment, 'captured payment').currency,
      },
    }),
  },
  COMMIT_INVENTORY: {
    next: 'SCHEDULE_SHIPMENT',
    command: 'saga.CommitInventory',
    compensation: 'saga.RestockInventory',
    send: (s, attempt) => ({
      type: 'saga.CommitInventory',
      attempt,
      payload: { orderId: s.orderId },
    }),
    compensate: (s, attempt) => ({
      type: 'saga.RestockInventory',
      attempt,
      payload: { orderId: s.orderId },
    }),
  },
  SCHEDULE_SHIPMENT: {
    next: null,
    command: 'saga.ScheduleShipment',
    compensation: 'saga.CancelShipment',
    send: (s, attempt) => ({
      type: 'saga.ScheduleShipment',
      attempt,
      payload: { orderId: s.orderId, lines: s.order.lines, address: s.order.shippingAddress },
    }),
    compensate: (s, attempt) => ({
      type: 'saga.CancelShipment',
      attempt,
      payload: { orderId: s.orderId },
    }),
  },
};

/**
 * A reply's meaning for the saga: a step succeeded, a step failed (with the cancellation
 * reason), or a step's compensation was confirmed.
 */
export type ReplyMeaning =
  | { readonly kind: 'succeeded'; readonly step: SagaStep }
  | {
      readonly kind: 'failed';
      readonly step: SagaStep;
      readonly reason: NonNullable<SagaState['failure']>['reason'];
      readonly detail: string;
    }
  | { readonly kind: 'compensated'; readonly step: SagaStep };

export function classifyReply(reply: ParticipantReply): ReplyMeaning {
  switch (reply.type) {
    case 'inventory.InventoryReserved':
      return { kind: 'succeeded', step: 'RESERVE_INVENTORY' };
    case 'inventory.InventoryReservationRejected':
      return {
        kind: 'failed',
        step: 'RESERVE_INVENTORY',
        reason: reply.payload.reason,
        detail: `inventory rejected the reservation (${reply.payload.reason}): ${reply.payload.skus.join(', ')}`,
      };
    case 'inventory.InventoryReleased':
      return { kind: 'compensated', step: 'RESERVE_INVENTORY' };
    case 'payments.PaymentCaptured':
      return { kind: 'succeeded', step: 'PROCESS_PAYMENT' };
    case 'payments.PaymentDeclined':
      return {
        kind: 'failed',
        step: 'PROCESS_PAYMENT',
        reason: 'PAYMENT_DECLINED',
        detail: `payment declined (${reply.payload.reason})`,
      };
    case 'payments.PaymentRefunded':
      return { kind: 'compensated', step: 'PROCESS_PAYMENT' };
    case 'inventory.InventoryCommitted':
      return { kind: 'succeeded', step: 'COMMIT_INVENTORY' };
    case 'inventory.InventoryRestocked':
      return { kind: 'compensated', step: 'COMMIT_INVENTORY' };
    case 'shipping.ShipmentScheduled':
      return { kind: 'succeeded', step: 'SCHEDULE_SHIPMENT' };
    case 'shipping.ShipmentRejected':
      return {
        kind: 'failed',
        step: 'SCHEDULE_SHIPMENT',
        reason: 'SHIPPING_REJECTED',
        detail: `shipping rejected (${reply.payload.reason}): ${reply.payload.detail}`,
      };
    case 'shipping.ShipmentCancelled':
      return { kind: 'compensated', step: 'SCHEDULE_SHIPMENT' };
  }
}

/** A step's reply payload kept in state (prices, payment, shipment) for later commands. */
export function recordSuccess(reply: ParticipantReply): Partial<SagaState> {
  if (reply.type === 'inventory.InventoryReserved') {
    const { lines, amountMinor, currency } = reply.payload;
    return { priced: { lines, amountMinor, currency } };
  }
  if (reply.type === 'payments.PaymentCaptured') return { payment: reply.payload };
  if (reply.type === 'shipping.ShipmentScheduled') return { shipment: reply.payload };
  return {};
}

// Only reachable if the step order in this table is broken: crash loudly.
function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`order saga invariant broken: ${what} is missing`);
  return value;
}
