import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { renderTable } from '@orderflow/infra';
import type { ServicePools } from './chaos-stack.js';
import type { PlacedOrder, ResponseTally } from './load.js';
import {
  consumerLag,
  dlqDepths,
  moneyByOrder,
  orderOutcomes,
  ordersOfCustomer,
  sagaStatuses,
  shipmentsByOrder,
  stockBySku,
  unpublishedOutbox,
  type StockRow,
} from './observe.js';

/**
 * The invariants of docs/architecture.md §3 (and the messaging ones) over one scenario's orders,
 * each a row with what was expected and what was found, printed as a table and then asserted
 * together, so a failing run shows every violation at once.
 */
export interface Invariant {
  readonly name: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
}

export function invariant(
  name: string,
  expected: number | string,
  actual: number | string,
  ok: boolean = String(expected) === String(actual),
): Invariant {
  return { name, expected: String(expected), actual: String(actual), ok };
}

const OUT_DIR = path.resolve(import.meta.dirname, '../../out/chaos');

/** Prints the table (and keeps a copy in out/chaos/) and returns the failed rows' names. */
export function report(title: string, rows: readonly Invariant[]): string[] {
  const table = renderTable(
    rows.map((r) => ({
      invariant: r.name,
      expected: r.expected,
      actual: r.actual,
      ok: r.ok ? 'ok' : 'FAIL',
    })),
  );
  const text = `\n${title}\n${table}\n`;
  process.stdout.write(text);
  mkdirSync(OUT_DIR, { recursive: true });
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  writeFileSync(path.join(OUT_DIR, `${slug}.txt`), text);
  return rows.filter((r) => !r.ok).map((r) => `${r.name}: expected ${r.expected}, got ${r.actual}`);
}

/** Polls `probe` until `done` holds or time runs out; returns the last value either way. */
export async function settle<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<{ value: T; ok: boolean; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    let value: T | undefined;
    let failed = false;
    try {
      value = await probe();
    } catch {
      failed = true; // e.g. the broker restarting: try again
    }
    if (!failed && done(value as T)) return { value: value as T, ok: true, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) {
      if (failed) value = await probe();
      return { value: value as T, ok: false, ms: Date.now() - t0 };
    }
    await sleep(intervalMs);
  }
}

const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION']);

/** Waits until every order is terminal in order-service; returns how many are and how long it took. */
export async function waitForTerminal(
  pools: ServicePools,
  orderIds: readonly string[],
  timeoutMs: number,
) {
  return settle(
    async () =>
      [...(await orderOutcomes(pools, orderIds)).values()].filter((o) => TERMINAL.has(o.status))
        .length,
    (terminal) => terminal === orderIds.length,
    timeoutMs,
  );
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const describeCounts = (counts: ReadonlyMap<string, number>) =>
  [...counts]
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ') || 'none';

/**
 * Waits until the outboxes are drained and every group caught up; rows for both, and for the
 * DLQs unless `dlqMayHoldRecords` (after the poison scenario put records there on purpose).
 */
export async function messagingInvariants(
  pools: ServicePools,
  admin: Admin,
  timeoutMs: number,
  dlqMayHoldRecords = false,
): Promise<Invariant[]> {
  const outbox = await settle(
    () => unpublishedOutbox(pools),
    (m) => sum(m.values()) === 0,
    timeoutMs,
  );
  const lag = await settle(
    () => consumerLag(admin),
    (m) => sum(m.values()) === 0,
    timeoutMs,
  );
  const dlq = await dlqDepths(admin);
  return [
    invariant(
      'unpublished outbox rows, all 5 service DBs',
      0,
      sum(outbox.value.values()),
      outbox.ok,
    ),
    invariant(
      'consumer lag, all 5 groups (incl. retry tiers)',
      0,
      `${sum(lag.value.values())} (${describeCounts(lag.value)})`,
      lag.ok,
    ),
    dlqMayHoldRecords
      ? invariant("records in DLQ topics (the poison scenario's)", '-', sum(dlq.values()), true)
      : invariant(
          'records in DLQ topics',
          0,
          `${sum(dlq.values())} (${describeCounts(dlq)})`,
          sum(dlq.values()) === 0,
        ),
  ];
}

export interface OrderInvariantInput {
  readonly run: string;
  readonly placed: readonly PlacedOrder[];
  readonly planned: number;
  readonly tally: ResponseTally;
  readonly initialStock: ReadonlyMap<string, StockRow>;
  /**
   * Without faults every order must end as its kind says; with faults an order the platform
   * could not finish in time may be cancelled (STEP_TIMEOUT), but never the other way round.
   */
  readonly strictOutcomes: boolean;
}

/** Orders, sagas, money, shipments and stock of one scenario's orders, once all are terminal. */
export async function orderInvariants(
  pools: ServicePools,
  input: OrderInvariantInput,
): Promise<Invariant[]> {
  const { placed } = input;
  const ids = placed.map((o) => o.orderId);
  const [outcomes, sagas, money, shipments, stock, stored] = await Promise.all([
    orderOutcomes(pools, ids),
    sagaStatuses(pools, ids),
    moneyByOrder(pools, ids),
    shipmentsByOrder(pools, ids),
    stockBySku(pools),
    ordersOfCustomer(pools, input.run),
  ]);
  const status = (o: PlacedOrder) => outcomes.get(o.orderId)?.status ?? 'MISSING';
  const reason = (o: PlacedOrder) => outcomes.get(o.orderId)?.reason ?? null;
  const count = (pred: (o: PlacedOrder) => boolean) => placed.filter(pred).length;
  const ofKind = (kind: PlacedOrder['kind']) => placed.filter((o) => o.kind === kind);
  const completed = (o: PlacedOrder) => status(o) === 'COMPLETED';
  const cancelled = (o: PlacedOrder) => status(o) === 'CANCELLED';
  const reasonsOf = (orders: readonly PlacedOrder[]) => {
    const counts = new Map<string, number>();
    for (const o of orders) counts.set(reason(o) ?? '?', (counts.get(reason(o) ?? '?') ?? 0) + 1);
    return counts;
  };
  const byStatus = new Map<string, number>();
  for (const o of placed) byStatus.set(status(o), (byStatus.get(status(o)) ?? 0) + 1);
  const fivexx = sum([...input.tally].filter(([k]) => /^5\d\d$/.test(k)).map(([, n]) => n));

  const rows: Invariant[] = [
    invariant('orders accepted over HTTP (202/200)', input.planned, placed.length),
    invariant('POST /orders answers', 'no 5xx', describeCounts(input.tally), fivexx === 0),
    invariant('orders stored (a retried POST is not a 2nd order)', input.planned, stored),
    invariant(
      'orders terminal (COMPLETED/CANCELLED)',
      placed.length,
      count((o) => completed(o) || cancelled(o)),
      count((o) => completed(o) || cancelled(o)) === placed.length,
    ),
    invariant(
      'order statuses',
      'COMPLETED/CANCELLED only',
      describeCounts(byStatus),
      [...byStatus.keys()].every((s) => s === 'COMPLETED' || s === 'CANCELLED'),
    ),
    invariant(
      'cancellation reasons',
      'each cancelled order names one',
      describeCounts(reasonsOf(placed.filter(cancelled))),
      placed.filter(cancelled).every((o) => (reason(o) ?? '') !== ''),
    ),
    invariant(
      'sagas terminal',
      placed.length,
      count((o) => ['COMPLETED', 'CANCELLED'].includes(sagas.get(o.orderId) ?? '')),
    ),
  ];

  const approve = ofKind('approve');
  const decline = ofKind('decline');
  const soldOut = ofKind('sold-out');
  if (input.strictOutcomes) {
    rows.push(
      invariant('approved (80%) → COMPLETED', approve.length, approve.filter(completed).length),
      invariant(
        'declined (10%) → CANCELLED PAYMENT_DECLINED',
        decline.length,
        decline.filter((o) => cancelled(o) && reason(o) === 'PAYMENT_DECLINED').length,
      ),
      invariant(
        'sold out (10%) → CANCELLED OUT_OF_STOCK',
        soldOut.length,
        soldOut.filter((o) => cancelled(o) && reason(o) === 'OUT_OF_STOCK').length,
      ),
    );
  } else {
    const reasons = reasonsOf(approve.filter(cancelled));
    rows.push(
      invariant(
        'approved (80%) → COMPLETED, or CANCELLED by a fault',
        approve.length,
        `${approve.filter(completed).length} completed, cancelled: ${describeCounts(reasons)}`,
        approve.every((o) => completed(o) || cancelled(o)),
      ),
      // The saga's step deadlines (60–90 s) outlast a participant's restart: no approved order
      // may be lost to a crash. (Those that ran out of stock are the sold-out kind, not these.)
      invariant(
        'approved: cancelled by STEP_TIMEOUT',
        0,
        approve.filter((o) => cancelled(o) && reason(o) === 'STEP_TIMEOUT').length,
      ),
      invariant('declined (10%) never COMPLETED', 0, decline.filter(completed).length),
      // Rejected, or timed out while inventory was down: either way never reserved, never charged.
      invariant('sold out (10%) never COMPLETED', 0, soldOut.filter(completed).length),
    );
  }

  const m = (o: PlacedOrder) =>
    money.get(o.orderId) ?? {
      captures: 0,
      capturedMinor: 0,
      refundedMinor: 0,
      lastCaptureAt: null,
    };
  const total = (o: PlacedOrder) => outcomes.get(o.orderId)?.totalMinor ?? null;
  rows.push(
    invariant(
      'orders charged twice (payments: >1 capture)',
      0,
      count((o) => m(o).captures > 1),
    ),
    invariant(
      'COMPLETED: one capture = order total, no refund',
      placed.filter(completed).length,
      count(
        (o) =>
          completed(o) &&
          m(o).captures === 1 &&
          m(o).capturedMinor === total(o) &&
          m(o).refundedMinor === 0,
      ),
    ),
    invariant(
      'CANCELLED: net money 0 (captured − refunded)',
      placed.filter(cancelled).length,
      count((o) => cancelled(o) && m(o).capturedMinor === m(o).refundedMinor),
    ),
    invariant(
      'CANCELLED: captures recorded after the cancellation',
      0,
      count((o) => {
        const at = outcomes.get(o.orderId)?.cancelledAt ?? null;
        const captured = m(o).lastCaptureAt;
        return cancelled(o) && at !== null && captured !== null && captured > at;
      }),
    ),
    invariant(
      'COMPLETED: one booked shipment',
      placed.filter(completed).length,
      count((o) => completed(o) && shipments.get(o.orderId)?.status === 'SCHEDULED'),
    ),
    invariant(
      'CANCELLED: no live shipment',
      0,
      count((o) => cancelled(o) && shipments.get(o.orderId)?.status === 'SCHEDULED'),
    ),
  );

  const unitsCompleted = new Map<string, number>();
  for (const o of placed.filter(completed))
    for (const { sku, quantity } of o.body.items)
      unitsCompleted.set(sku, (unitsCompleted.get(sku) ?? 0) + quantity);
  for (const [sku, before] of input.initialStock) {
    const now = stock.get(sku) ?? { available: NaN, reserved: NaN, committed: NaN };
    const initial = before.available + before.reserved + before.committed;
    rows.push(
      invariant(
        `${sku}: initial = available + reserved + committed`,
        initial,
        `${now.available}+${now.reserved}+${now.committed}=${now.available + now.reserved + now.committed}`,
        now.available + now.reserved + now.committed === initial,
      ),
      invariant(
        `${sku}: reserved at rest; Δcommitted = units COMPLETED`,
        `0; ${unitsCompleted.get(sku) ?? 0}`,
        `${now.reserved - before.reserved}; ${now.committed - before.committed}`,
      ),
    );
  }
  return rows;
}
