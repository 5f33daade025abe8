import type { StoredEvent } from '@orderflow/event-store';
import type {
  Cancellation,
  OrderEvent,
  OrderLine,
  OrderStatus,
  Parking,
  PlacedOrder,
  PricedLine,
  SalesChannel,
  ShippingAddress,
  StepLogEntry,
} from '../domain/index.js';

/** How an order looks over HTTP: the folded state, with the total as one object once known. */
export interface OrderResource {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly channel: SalesChannel;
  readonly placedAt: string;
  readonly lines: readonly OrderLine[];
  readonly shippingAddress: ShippingAddress;
  readonly pricedLines: readonly PricedLine[] | null;
  readonly total: { readonly amountMinor: number; readonly currency: string } | null;
  readonly trackingNumber: string | null;
  readonly steps: readonly StepLogEntry[];
  readonly cancellation: Cancellation | null;
  readonly parking: Parking | null;
  readonly finalAt: string | null;
  readonly version: number;
}

export interface HistoryEntry {
  readonly version: number;
  readonly type: OrderEvent['type'];
  readonly recordedAt: string;
  readonly data: OrderEvent;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function orderResource(order: PlacedOrder): OrderResource {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    channel: order.channel,
    placedAt: order.placedAt,
    lines: order.lines,
    shippingAddress: order.shippingAddress,
    pricedLines: order.pricedLines,
    total:
      order.totalMinor === null || order.currency === null
        ? null
        : { amountMinor: order.totalMinor, currency: order.currency },
    trackingNumber: order.trackingNumber,
    steps: order.steps,
    cancellation: order.cancellation,
    parking: order.parking,
    finalAt: order.finalAt,
    version: order.version,
  };
}

export function historyEntry(event: StoredEvent<OrderEvent>): HistoryEntry {
  return {
    version: event.version,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}
