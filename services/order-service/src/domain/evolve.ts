import type { OrderEvent } from './events.js';
import type { OrderState } from './order.js';

export const initialOrderState = (): OrderState => ({ status: 'NONE', version: 0 });

/**
 * A snapshot taken before SagaCancelled v2 has a cancellation without its money: nothing was
 * charged or refused as far as that release knew, as evolve reads such an event.
 */
export function upcastSnapshot(saved: OrderState): OrderState {
  if (saved.status === 'NONE' || saved.cancellation === null) return saved;
  const { chargedMinor = 0, refundedMinor = 0 } = saved.cancellation as Partial<
    NonNullable<typeof saved.cancellation>
  >;
  return { ...saved, cancellation: { ...saved.cancellation, chargedMinor, refundedMinor } };
}

/** Folds one event into the state. Pure and total: it records facts, it never refuses them. */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    return {
      status: 'PENDING',
      orderId: event.orderId,
      customerId: event.customerId,
      lines: event.lines,
      shippingAddress: event.shippingAddress,
      channel: event.channel,
      placedAt: event.placedAt,
      pricedLines: null,
      totalMinor: null,
      currency: null,
      trackingNumber: null,
      steps: [],
      cancellation: null,
      parking: null,
      finalAt: null,
      version: state.version + 1,
    };
  }
  // decide never emits a later event for an order that was not placed.
  if (state.status === 'NONE') return state;
  const version = state.version + 1;
  switch (event.type) {
    case 'StepRecorded':
      return {
        ...state,
        steps: [
          ...state.steps,
          { step: event.step, status: event.status, at: event.at, detail: event.detail },
        ],
        version,
      };
    case 'OrderCompleted':
      return {
        ...state,
        status: 'COMPLETED',
        pricedLines: event.pricedLines,
        totalMinor: event.totalMinor,
        currency: event.currency,
        trackingNumber: event.trackingNumber,
        finalAt: event.completedAt,
        version,
      };
    case 'OrderCancelled':
      return {
        ...state,
        status: 'CANCELLED',
        totalMinor: event.totalMinor ?? state.totalMinor,
        currency: event.currency ?? state.currency,
        cancellation: {
          reason: event.reason,
          failedStep: event.failedStep,
          detail: event.detail,
          chargedMinor: event.chargedMinor ?? 0,
          refundedMinor: event.refundedMinor ?? 0,
        },
        finalAt: event.cancelledAt,
        version,
      };
    case 'OrderParked':
      return {
        ...state,
        status: 'FAILED_NEEDS_ATTENTION',
        parking: { step: event.step, reason: event.reason },
        finalAt: event.parkedAt,
        version,
      };
  }
}
