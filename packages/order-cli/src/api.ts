import type {
  InventoryReservedV1,
  SagaCancelledV1,
  SagaStepsChangedV1,
} from '@orderflow/contracts';

/**
 * order-service's HTTP API as this client reads it (see services/order-service/src/handlers).
 * Enum values shared with the Avro contracts come from the generated types; the rest is the
 * HTTP resource shape, which this client only reads and prints.
 */
export const ORDER_STATUSES = [
  'PENDING',
  'COMPLETED',
  'CANCELLED',
  'FAILED_NEEDS_ATTENTION',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<string> = new Set<OrderStatus>([
  'COMPLETED',
  'CANCELLED',
  'FAILED_NEEDS_ATTENTION',
]);

export type SagaStep = SagaStepsChangedV1.SagaStep;
export type PricedLine = InventoryReservedV1.PricedLine;

export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface ShippingAddress {
  readonly name: string;
  readonly line1: string;
  readonly line2?: string | null;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
}

/** The body of POST /orders. */
export interface PlaceOrderBody {
  readonly customerId: string;
  readonly items: readonly OrderItem[];
  readonly payment: { readonly token: string };
  readonly shippingAddress: ShippingAddress;
}

export interface StepLogEntry {
  readonly step: SagaStep;
  readonly status: SagaStepsChangedV1.SagaStepStatus;
  readonly at: string;
  readonly detail: string | null;
}

export interface Cancellation {
  readonly reason: SagaCancelledV1.CancellationReason;
  readonly failedStep: SagaStep | null;
  readonly detail: string | null;
}

export interface Parking {
  readonly step: SagaStep | null;
  readonly reason: string;
}

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/** GET /orders/:id (and the body of POST /orders). */
export interface OrderResource {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly channel: string;
  readonly placedAt: string;
  readonly lines: readonly OrderItem[];
  readonly shippingAddress: ShippingAddress;
  readonly pricedLines: readonly PricedLine[] | null;
  readonly total: Money | null;
  readonly trackingNumber: string | null;
  readonly steps: readonly StepLogEntry[];
  readonly cancellation: Cancellation | null;
  readonly parking: Parking | null;
  readonly finalAt: string | null;
  readonly version: number;
}

/** One row of GET /orders. */
export interface OrderSummary {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalMinor: number | null;
  readonly currency: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderPage {
  readonly items: readonly OrderSummary[];
  readonly nextCursor: string | null;
}

/** The order events carried by GET /orders/:id/stream, as far as this client prints them. */
export type OrderStreamEvent =
  | ({ readonly type: 'OrderPlaced' } & Pick<OrderResource, 'lines' | 'shippingAddress'>)
  | ({ readonly type: 'StepRecorded' } & Omit<StepLogEntry, 'at'>)
  | {
      readonly type: 'OrderCompleted';
      readonly totalMinor: number;
      readonly currency: string;
      readonly trackingNumber: string | null;
    }
  | ({ readonly type: 'OrderCancelled' } & Cancellation)
  | ({ readonly type: 'OrderParked' } & Parking);

/** The data of one Server-Sent Event of the stream; its SSE id is `version`. */
export interface OrderStreamMessage {
  readonly orderId: string;
  readonly version: number;
  readonly type: OrderStreamEvent['type'];
  /** The order's status after this event. */
  readonly status: OrderStatus;
  readonly recordedAt: string;
  readonly event: OrderStreamEvent;
}

/** RFC 9457 problem details, with the `errors` extension of validation failures. */
export interface ProblemDetails {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Shape checks of what the service sent: enough that printing cannot crash, and that a --url
 * pointing at another service says so instead of printing nonsense.
 */
export function isOrderResource(value: unknown): value is OrderResource {
  return (
    isObject(value) &&
    typeof value.orderId === 'string' &&
    typeof value.status === 'string' &&
    typeof value.version === 'number' &&
    Array.isArray(value.lines) &&
    Array.isArray(value.steps)
  );
}

export function isOrderPage(value: unknown): value is OrderPage {
  return (
    isObject(value) &&
    Array.isArray(value.items) &&
    value.items.every(
      (row) => isObject(row) && typeof row.orderId === 'string' && typeof row.status === 'string',
    )
  );
}

export function isOrderStreamMessage(value: unknown): value is OrderStreamMessage {
  return (
    isObject(value) &&
    typeof value.version === 'number' &&
    typeof value.type === 'string' &&
    typeof value.status === 'string' &&
    typeof value.recordedAt === 'string' &&
    isObject(value.event)
  );
}

/** Problem details, keeping only members of the expected types, so printing them cannot fail. */
export function asProblem(value: unknown): ProblemDetails | undefined {
  if (!isObject(value)) return undefined;
  const text = (member: unknown) => (typeof member === 'string' ? member : undefined);
  const title = text(value.title);
  const detail = text(value.detail);
  if (title === undefined && detail === undefined) return undefined;
  return {
    type: text(value.type),
    title,
    status: typeof value.status === 'number' ? value.status : undefined,
    detail,
    instance: text(value.instance),
    correlationId: text(value.correlationId),
    errors: Array.isArray(value.errors)
      ? value.errors
          .filter(isObject)
          .map((issue) => ({ path: text(issue.path), message: text(issue.message) }))
      : undefined,
  };
}
