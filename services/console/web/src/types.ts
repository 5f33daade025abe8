/** What the console server answers, as the page reads it. */
export interface OrderSummary {
  orderId: string;
  customerId: string;
  status: string;
  totalMinor: number | null;
  currency: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface LogEntry {
  step: string;
  status: string;
  at: string;
  detail: string | null;
}

export interface Saga {
  orderId: string;
  status: string;
  steps: Record<string, string>;
  log: LogEntry[];
  failure: { step: string; reason: string; detail: string } | null;
  startedAt: string;
  updatedAt: string;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: string;
  placedAt: string;
  lines: { sku: string; quantity: number }[];
  pricedLines:
    { sku: string; quantity: number; unitAmountMinor: number; lineAmountMinor: number }[] | null;
  total: { amountMinor: number; currency: string } | null;
  trackingNumber: string | null;
  cancellation: { reason: string; failedStep: string | null; detail: string | null } | null;
  parking: { step: string | null; reason: string } | null;
  shippingAddress: { name: string; city: string; country: string };
  finalAt: string | null;
}

export interface OrderDetail {
  order: Order;
  saga: Saga | null;
  payment: {
    status: string;
    payment: { amountMinor: number; currency: string; declineReason: string | null } | null;
    refund: { amountMinor: number; currency: string } | null;
  } | null;
  shipment: { status: string; carrier: string | null; trackingNumber: string | null } | null;
}

export interface DlqRecordView {
  dlqTopic: string;
  partition: number;
  offset: string;
  writtenAt: string;
  key: string;
  type: string;
  originTopic: string;
  originPartition: string;
  originOffset: string;
  group: string;
  errorCode: string;
  errorClass: string;
  errorMessage: string;
  attempts: number;
  lastFailureAt: string;
  traceId: string | null;
  headers: Record<string, string>;
  value:
    | { decoded: true; json: unknown; note: string }
    | { decoded: false; why: string; base64: string };
}
