import { setTimeout as sleep } from 'node:timers/promises';
import type { SignToken } from '@orderflow/auth';

/**
 * The check's one order, over HTTP as a client places it (README "Placing an order"): what
 * proves the one-shots and services were wired together, end to end.
 */
const SKU = 'USB-C-CABLE';

export interface PlacedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly detail: string;
}

export async function placeOrderToFinal(
  urls: { readonly orders: string; readonly inventory: string },
  sign: SignToken,
  timeoutMs: number,
): Promise<PlacedOrder> {
  const customer = `compose-check-${Date.now()}`;
  const admin = await sign({ sub: 'compose-check', roles: ['admin'], expiresInSeconds: 600 });
  const token = await sign({ sub: customer, roles: ['customer'], expiresInSeconds: 600 });
  await ensureStock(urls.inventory, admin);
  const res = await fetch(`${urls.orders}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      customerId: customer,
      items: [{ sku: SKU, quantity: 1 }],
      payment: { token: 'tok_approve' },
      shippingAddress: {
        name: 'Compose Check',
        line1: '1 Main St',
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
      },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { orderId?: string };
  if (res.status !== 202 || !body.orderId) {
    throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(body)}`);
  }
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    const read = await fetch(`${urls.orders}/orders/${body.orderId}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    last = (await read.json()) as Record<string, unknown>;
    if (
      last.status === 'COMPLETED' ||
      last.status === 'CANCELLED' ||
      last.status === 'FAILED_NEEDS_ATTENTION'
    ) {
      break;
    }
    await sleep(250);
  }
  return {
    orderId: body.orderId,
    status: typeof last.status === 'string' ? last.status : 'unknown',
    detail: JSON.stringify(last),
  };
}

/** A stack someone has been ordering from may have sold the SKU out; the check needs one. */
async function ensureStock(inventory: string, admin: string): Promise<void> {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const res = await fetch(`${inventory}/inventory/${SKU}`, { headers });
  if (!res.ok) throw new Error(`GET /inventory/${SKU} answered ${res.status}: ${await res.text()}`);
  const { available } = (await res.json()) as { available: number };
  if (available > 0) return;
  const put = await fetch(`${inventory}/inventory/${SKU}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ available: 10 }),
  });
  if (!put.ok) throw new Error(`PUT /inventory/${SKU} answered ${put.status}: ${await put.text()}`);
}
