/**
 * The live order list: successive pages of GET /orders compared, so the page hears of an order
 * that appeared or changed (status or version) without asking for the list again.
 */
export interface OrderSummary {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: string;
  readonly totalMinor: number | null;
  readonly currency: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type Seen = ReadonlyMap<string, string>;

const fingerprint = (order: OrderSummary) => `${order.status}:${order.version}`;

export function seenOf(items: readonly OrderSummary[]): Seen {
  return new Map(items.map((o) => [o.orderId, fingerprint(o)]));
}

/** The orders of `page` that `seen` lacks or knew in another state, oldest first. */
export function changedSince(seen: Seen, page: readonly OrderSummary[]): OrderSummary[] {
  return page.filter((order) => seen.get(order.orderId) !== fingerprint(order)).reverse();
}

/** What to remember after a page: the page itself plus what dropped off it (bounded by size). */
export function remember(seen: Seen, page: readonly OrderSummary[], max = 1_000): Seen {
  const next = new Map(seen);
  for (const order of page) {
    next.delete(order.orderId);
    next.set(order.orderId, fingerprint(order));
  }
  while (next.size > max) {
    const oldest = next.keys().next().value;
    if (oldest === undefined) break;
    next.delete(oldest);
  }
  return next;
}
