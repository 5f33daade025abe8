import type {
  InventoryReservedV1,
  OrderPlacedV2,
  SagaCancelledV1,
  SagaStepsChangedV1,
} from '@orderflow/contracts';

// Value types shared with the contracts are imported from the generated code (types only), so
// the domain can never drift from the .avsc enums it mirrors; the domain's own events stay internal.
export type OrderLine = OrderPlacedV2.OrderLine;
export type ShippingAddress = OrderPlacedV2.ShippingAddress;
export type SalesChannel = OrderPlacedV2.SalesChannel;
export type PricedLine = InventoryReservedV1.PricedLine;
export type SagaStep = SagaStepsChangedV1.SagaStep;
export type SagaStepStatus = SagaStepsChangedV1.SagaStepStatus;
export type CancellationReason = SagaCancelledV1.CancellationReason;

export type OrderStatus = 'PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED_NEEDS_ATTENTION';
export const FINAL_STATUSES: readonly OrderStatus[] = [
  'COMPLETED',
  'CANCELLED',
  'FAILED_NEEDS_ATTENTION',
];

export interface StepLogEntry {
  readonly step: SagaStep;
  readonly status: SagaStepStatus;
  /** ISO-8601; strings, not Dates, so a state survives a JSON snapshot unchanged. */
  readonly at: string;
  readonly detail: string | null;
}

export interface Cancellation {
  readonly reason: CancellationReason;
  readonly failedStep: SagaStep | null;
  readonly detail: string | null;
  /** Money taken and given back (in the total's currency); 0 when nothing was charged. */
  readonly chargedMinor: number;
  readonly refundedMinor: number;
}

export interface Parking {
  readonly step: SagaStep | null;
  readonly reason: string;
}

export interface PlacedOrder {
  readonly status: OrderStatus;
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly shippingAddress: ShippingAddress;
  readonly channel: SalesChannel;
  readonly placedAt: string;
  /**
   * Known once the saga completes (and the total once inventory priced it, even if the order was
   * then cancelled); inventory prices the lines, never the client.
   */
  readonly pricedLines: readonly PricedLine[] | null;
  readonly totalMinor: number | null;
  readonly currency: string | null;
  readonly trackingNumber: string | null;
  readonly steps: readonly StepLogEntry[];
  readonly cancellation: Cancellation | null;
  readonly parking: Parking | null;
  /** When the order reached its final status. */
  readonly finalAt: string | null;
  /** Number of events folded: equals the event store's stream version. */
  readonly version: number;
}

/** Before OrderPlaced the stream is empty: a distinct state, so "not found" is a type, not a null check. */
export interface NoOrder {
  readonly status: 'NONE';
  readonly version: 0;
}

export type OrderState = NoOrder | PlacedOrder;

export const isFinal = (state: OrderState): boolean =>
  state.status !== 'NONE' && FINAL_STATUSES.includes(state.status);
