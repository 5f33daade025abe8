import { SERVICES, type ServiceName } from '@orderflow/contracts';
import { eventually } from '@orderflow/testkit';

/** A thin HTTP client over the running platform, for end-to-end tests. */
export function url(service: ServiceName, path: string): string {
  return `http://127.0.0.1:${SERVICES[service].port}${path}`;
}

export async function getJson<T>(
  service: ServiceName,
  path: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url(service, path));
  return { status: res.status, body: (await res.json()) as T };
}

export interface OrderRequest {
  customerId: string;
  items: { sku: string; quantity: number }[];
  payment: { token: string };
  shippingAddress: {
    name: string;
    line1: string;
    city: string;
    postalCode: string;
    country: string;
  };
}

export function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    customerId: 'c-e2e',
    items: [{ sku: 'USB-C-CABLE', quantity: 2 }],
    payment: { token: 'tok_approve' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
    ...overrides,
  };
}

export async function placeOrder(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | null; body: { orderId: string } }> {
  const res = await fetch(url('order-service', '/orders'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: (await res.json()) as { orderId: string },
  };
}

export interface OrderView {
  orderId: string;
  status: string;
  total: { amountMinor: number; currency: string } | null;
  trackingNumber: string | null;
  steps: { step: string; status: string }[];
  cancellation: { reason: string } | null;
}

/** Waits until the order reaches a terminal status and returns it. */
export async function settled(orderId: string): Promise<OrderView> {
  return eventually(
    `order ${orderId} to finish`,
    async () => {
      const { body } = await getJson<OrderView>('order-service', `/orders/${orderId}`);
      if (
        body.status !== 'COMPLETED' &&
        body.status !== 'CANCELLED' &&
        body.status !== 'FAILED_NEEDS_ATTENTION'
      ) {
        throw new Error(`status ${body.status}`);
      }
      return body;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

export interface Stock {
  available: number;
  reserved: number;
  committed: number;
}

export async function stock(sku: string): Promise<Stock> {
  const { body } = await getJson<Stock>('inventory-service', `/inventory/${sku}`);
  return { available: body.available, reserved: body.reserved, committed: body.committed };
}
