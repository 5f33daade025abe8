import { setTimeout as sleep } from 'node:timers/promises';
import { asAdmin, orderRequest, placeOrder, url, type OrderRequest } from '../e2e/platform.js';
import { pick, shuffle } from './profile.js';

/**
 * The mixed order load: ~80% orders that should complete, 10% declined by the payment simulator
 * (tok_decline_insufficient_funds), 10% for a SKU with no stock (SOLD-OUT-MUG). Each order has an
 * Idempotency-Key and is re-sent until order-service answers, as a real client retries through
 * an order-service crash: a retried request must never become a second order.
 */
export type OrderKind = 'approve' | 'decline' | 'sold-out';

export interface PlannedOrder {
  readonly index: number;
  readonly kind: OrderKind;
  readonly key: string;
  readonly body: OrderRequest;
}

export interface PlacedOrder extends PlannedOrder {
  readonly orderId: string;
  /** POSTs sent until one was answered 2xx (1 when the first was). */
  readonly attempts: number;
}

export const IN_STOCK_SKUS = [
  'USB-C-CABLE',
  'MOUSE-WIRELESS',
  'KEYBOARD-MECH',
  'MONITOR-27',
  'LAPTOP-STAND',
] as const;
export const SOLD_OUT_SKU = 'SOLD-OUT-MUG';

function lines(random: () => number): OrderRequest['items'] {
  const skus = shuffle(random, IN_STOCK_SKUS).slice(0, 1 + Math.floor(random() * 2));
  return skus.map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) }));
}

/**
 * The load's orders, made on demand: each block of ten has eight approvals, one decline and one
 * sold-out order in a random order, so any prefix of the load keeps the 80/10/10 mix.
 */
export class MixedOrders {
  private readonly kinds: OrderKind[] = [];

  constructor(
    private readonly run: string,
    private readonly random: () => number,
  ) {}

  at(index: number): PlannedOrder {
    while (this.kinds.length <= index) {
      const block: OrderKind[] = ['decline', 'sold-out', ...Array<OrderKind>(8).fill('approve')];
      this.kinds.push(...shuffle(this.random, block));
    }
    const kind = this.kinds[index] ?? 'approve';
    const random = this.random;
    const items =
      kind === 'sold-out'
        ? // All or nothing: an in-stock line beside the sold-out one must not be reserved either.
          [{ sku: SOLD_OUT_SKU, quantity: 1 }, ...(random() < 0.5 ? lines(random).slice(0, 1) : [])]
        : lines(random);
    const token = kind === 'decline' ? 'tok_decline_insufficient_funds' : 'tok_approve';
    return {
      index,
      kind,
      key: `${this.run}-${index}`,
      body: orderRequest({
        customerId: this.run,
        items,
        payment: { token },
        shippingAddress: {
          ...orderRequest().shippingAddress,
          country: pick(random, ['FR', 'DE', 'GB', 'US']),
        },
      }),
    };
  }
}

/** What order-service answered, across every attempt: status code (or 'network') → count. */
export type ResponseTally = Map<string, number>;

export interface LoadOptions {
  /** Orders to place at least. */
  readonly orders: number;
  /** Past `orders`, goes on placing while this says so (e.g. until a fault schedule is done). */
  readonly keepGoing?: () => boolean;
  readonly concurrency: number;
  /**
   * Closed loop: no new order while this many placed orders are not final yet (`isFinal` tells).
   * Keeps the load at what the platform sustains, so step deadlines measure faults, not a
   * queue the load generator built (an open-loop flood on two cores times every saga out).
   */
  readonly maxInFlight?: { readonly orders: number; readonly finalCount: () => number };
  /** Starts at most this many orders per second (unpaced when unset). */
  readonly ratePerSecond?: number;
  /** How long one order is re-sent before the load gives up on it. */
  readonly retryForMs?: number;
  /**
   * Instances of order-service to spread the POSTs over (default 1), as a client-side balancer
   * would: each attempt goes to the next instance, so a retry after a crash reaches a live one.
   */
  readonly orderServiceInstances?: number;
  readonly onPlaced?: (done: number) => void;
  /** Stops the load (the pending placement fails with the reason). */
  readonly signal?: AbortSignal;
}

async function placeWithRetries(
  order: PlannedOrder,
  tally: ResponseTally,
  options: { retryForMs: number; instances: number; signal?: AbortSignal | undefined },
): Promise<PlacedOrder> {
  const { retryForMs, instances, signal } = options;
  const deadline = Date.now() + retryForMs;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    let outcome: string;
    try {
      const instance = 1 + ((order.index + attempt - 1) % instances);
      const res = await placeOrder(order.body, { 'idempotency-key': order.key }, instance);
      outcome = String(res.status);
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      if (res.status === 202 || res.status === 200) {
        return { ...order, orderId: res.body.orderId, attempts: attempt };
      }
    } catch (error) {
      // Connection refused or reset: order-service is down or was killed mid-request.
      outcome = `network (${(error as Error).message})`;
      tally.set('network', (tally.get('network') ?? 0) + 1);
    }
    if (Date.now() > deadline) {
      throw new Error(`order ${order.key} not accepted after ${attempt} attempts: ${outcome}`);
    }
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
  }
}

/** Places the orders (each until accepted) and returns them with their order ids. */
export async function placeAll(
  plan: MixedOrders,
  options: LoadOptions,
): Promise<{ placed: PlacedOrder[]; tally: ResponseTally }> {
  const tally: ResponseTally = new Map();
  const placed: PlacedOrder[] = [];
  const interval = options.ratePerSecond ? 1_000 / options.ratePerSecond : 0;
  const started = Date.now();
  let next = 0;
  let inFlight = 0; // orders sent (placed or being placed)
  const worker = async () => {
    while (next < options.orders || options.keepGoing?.() === true) {
      const i = next++;
      const order = plan.at(i);
      const due = started + i * interval - Date.now();
      if (due > 0) await sleep(due);
      if (options.maxInFlight) {
        const { orders, finalCount } = options.maxInFlight;
        while (inFlight - finalCount() >= orders) {
          options.signal?.throwIfAborted();
          await sleep(50);
        }
      }
      inFlight += 1;
      placed.push(
        await placeWithRetries(order, tally, {
          retryForMs: options.retryForMs ?? 180_000,
          instances: options.orderServiceInstances ?? 1,
          signal: options.signal,
        }),
      );
      options.onPlaced?.(placed.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { placed: placed.sort((a, b) => a.index - b.index), tally };
}

/** Sets every in-stock SKU's available stock through inventory's admin API (nothing in flight). */
export async function restock(available: number): Promise<void> {
  for (const sku of IN_STOCK_SKUS) {
    const res = await fetch(url('inventory-service', `/inventory/${sku}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify({ available }),
    });
    if (!res.ok)
      throw new Error(`PUT /inventory/${sku} answered ${res.status}: ${await res.text()}`);
  }
}
