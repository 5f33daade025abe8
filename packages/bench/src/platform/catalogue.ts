/** Orders the load generator places, and stock for them through inventory's admin endpoint. */

export interface OrderLoadShape {
  readonly customerId: string;
  /** SKUs of the seeded catalogue, one per order in turn (spreads the row locks). */
  readonly skus: readonly string[];
}

export interface BenchOrderBody {
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly payment: { readonly token: string };
  readonly shippingAddress: Readonly<Record<string, string>>;
}

export function orderBody(shape: OrderLoadShape, index: number): BenchOrderBody {
  const sku = shape.skus[index % shape.skus.length];
  if (sku === undefined) throw new Error('no SKUs to order');
  return {
    customerId: shape.customerId,
    items: [{ sku, quantity: 1 }],
    payment: { token: 'tok_approve' },
    shippingAddress: {
      name: 'Bench',
      line1: '1 Load St',
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
  };
}

/** Units each SKU needs for `orders` orders spread over the SKUs, with headroom. */
export function unitsNeeded(orders: number, skuCount: number): number {
  return Math.ceil(orders / skuCount) + 50;
}

/**
 * Tops each SKU up to what the step needs (twice that, so the next step rarely needs another
 * write), and only when it has less: other suites on the same stack watch stock deltas, so the
 * bench changes stock no more often than it must.
 */
export async function ensureStock(
  inventoryUrl: string,
  skus: readonly string[],
  needed: number,
  /** An admin's Authorization header: reading stock needs a token, changing it the admin role. */
  admin: { authorization: string },
): Promise<string[]> {
  const restocked: string[] = [];
  for (const sku of skus) {
    const res = await fetch(`${inventoryUrl}/inventory/${encodeURIComponent(sku)}`, {
      headers: admin,
    });
    if (!res.ok)
      throw new Error(`GET /inventory/${sku} answered ${res.status}: ${await res.text()}`);
    const item = (await res.json()) as { available: number };
    if (item.available >= needed) continue;
    const put = await fetch(`${inventoryUrl}/inventory/${encodeURIComponent(sku)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ available: needed * 2 }),
    });
    if (!put.ok)
      throw new Error(`PUT /inventory/${sku} answered ${put.status}: ${await put.text()}`);
    restocked.push(sku);
  }
  return restocked;
}
