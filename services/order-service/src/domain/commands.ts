import type {
  CancellationReason,
  OrderLine,
  PricedLine,
  SagaStep,
  SagaStepStatus,
  SalesChannel,
  ShippingAddress,
  StepLogEntry,
} from './order.js';

/** From POST /orders. No prices: the client cannot set them. */
export interface PlaceOrder {
  readonly type: 'PlaceOrder';
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly shippingAddress: ShippingAddress;
  readonly channel: SalesChannel;
}

/** From the saga's SagaStepChanged (one entry per record; sent by sagas before SagaStepsChanged). */
export interface RecordStep {
  readonly type: 'RecordStep';
  readonly step: SagaStep;
  readonly status: SagaStepStatus;
  readonly at: string;
  readonly detail: string | null;
}

/** From the saga's SagaStepsChanged: the entries one saga decision logged, oldest first. */
export interface RecordSteps {
  readonly type: 'RecordSteps';
  readonly entries: readonly StepLogEntry[];
}

/** From SagaCompleted. */
export interface Complete {
  readonly type: 'Complete';
  /** Empty for SagaCompleted v1 data, which carries only the total. */
  readonly pricedLines: readonly PricedLine[];
  readonly totalMinor: number;
  readonly currency: string;
  readonly trackingNumber: string | null;
}

/** From SagaCancelled. */
export interface Cancel {
  readonly type: 'Cancel';
  readonly reason: CancellationReason;
  readonly failedStep: SagaStep | null;
  readonly detail: string | null;
  /** From SagaCancelled v2; absent in events recorded before it. */
  readonly totalMinor?: number | null;
  readonly currency?: string | null;
  readonly chargedMinor?: number;
  readonly refundedMinor?: number;
}

/** From SagaParked: a compensation kept failing and an operator must act. */
export interface Park {
  readonly type: 'Park';
  readonly step: SagaStep | null;
  readonly reason: string;
}

export type OrderCommand = PlaceOrder | RecordStep | RecordSteps | Complete | Cancel | Park;
