import type { Admin } from 'kafkajs';
import { allTopics, SERVICE_NAMES, TOPICS, type ServiceName } from '@orderflow/contracts';
import { createKafka, silentLogger } from '@orderflow/messaging';
import { testEnvironment } from '@orderflow/testkit';
import { url } from '../e2e/platform.js';
import type { ServicePools } from './chaos-stack.js';

/**
 * Read-only views of the chaos stack for the invariants: each service's database, the broker's
 * offsets (DLQ depth, consumer lag) and each service's Prometheus counters.
 */
export interface OrderOutcome {
  readonly orderId: string;
  readonly status: string;
  readonly reason: string | null;
  readonly totalMinor: number | null;
  /** When the order was first cancelled (epoch ms), if it was. */
  readonly cancelledAt: number | null;
}

/** order-service's view (read model + the cancellation reason from the event stream). */
export async function orderOutcomes(
  pools: ServicePools,
  orderIds: readonly string[],
): Promise<Map<string, OrderOutcome>> {
  const { rows } = await pools['order-service'].query<{
    order_id: string;
    status: string;
    reason: string | null;
    total: string | null;
    cancelled_at: string | null;
  }>(
    `SELECT v.order_id, v.status, v.total,
            (SELECT e.data->>'reason' FROM events e
              WHERE e.stream_id = 'order-' || v.order_id AND e.type = 'OrderCancelled'
              ORDER BY e.version DESC LIMIT 1) AS reason,
            (SELECT e.data->>'cancelledAt' FROM events e
              WHERE e.stream_id = 'order-' || v.order_id AND e.type = 'OrderCancelled'
              ORDER BY e.version LIMIT 1) AS cancelled_at
       FROM orders_view v WHERE v.order_id = ANY($1::text[])`,
    [[...orderIds]],
  );
  return new Map(
    rows.map((r) => [
      r.order_id,
      {
        orderId: r.order_id,
        status: r.status,
        reason: r.reason,
        totalMinor: r.total === null ? null : Number(r.total),
        cancelledAt: r.cancelled_at === null ? null : Date.parse(r.cancelled_at),
      },
    ]),
  );
}

export async function ordersOfCustomer(pools: ServicePools, customerId: string): Promise<number> {
  const { rows } = await pools['order-service'].query<{ n: number }>(
    'SELECT count(*)::int AS n FROM orders_view WHERE customer_id = $1',
    [customerId],
  );
  return rows[0]?.n ?? 0;
}

export async function sagaStatuses(
  pools: ServicePools,
  orderIds: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await pools['order-saga'].query<{ order_id: string; status: string }>(
    'SELECT order_id, status FROM order_saga WHERE order_id = ANY($1::text[])',
    [[...orderIds]],
  );
  return new Map(rows.map((r) => [r.order_id, r.status]));
}

export interface MoneyOfOrder {
  readonly captures: number;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  /** When the last capture was recorded (epoch ms), if any. */
  readonly lastCaptureAt: number | null;
}

/** payment-service: captures and refunds per order. */
export async function moneyByOrder(
  pools: ServicePools,
  orderIds: readonly string[],
): Promise<Map<string, MoneyOfOrder>> {
  const { rows } = await pools['payment-service'].query<{
    order_id: string;
    captures: number;
    captured: string;
    refunded: string;
    last_capture_at: Date | null;
  }>(
    `SELECT o.order_id,
            (SELECT count(*)::int FROM payments p WHERE p.order_id = o.order_id AND p.status = 'CAPTURED') AS captures,
            (SELECT coalesce(sum(amount_minor), 0) FROM payments p WHERE p.order_id = o.order_id AND p.status = 'CAPTURED') AS captured,
            (SELECT coalesce(sum(amount_minor), 0) FROM refunds r WHERE r.order_id = o.order_id) AS refunded,
            (SELECT max(created_at) FROM payments p WHERE p.order_id = o.order_id AND p.status = 'CAPTURED') AS last_capture_at
       FROM unnest($1::text[]) AS o(order_id)`,
    [[...orderIds]],
  );
  return new Map(
    rows.map((r) => [
      r.order_id,
      {
        captures: r.captures,
        capturedMinor: Number(r.captured),
        refundedMinor: Number(r.refunded),
        lastCaptureAt: r.last_capture_at?.getTime() ?? null,
      },
    ]),
  );
}

/** shipping-service: the status of each order's shipment row (booked ones have a tracking number). */
export async function shipmentsByOrder(
  pools: ServicePools,
  orderIds: readonly string[],
): Promise<Map<string, { status: string; booked: boolean }>> {
  const { rows } = await pools['shipping-service'].query<{
    order_id: string;
    status: string;
    booked: boolean;
  }>(
    `SELECT order_id, status, tracking_number IS NOT NULL AS booked
       FROM shipments WHERE order_id = ANY($1::text[])`,
    [[...orderIds]],
  );
  return new Map(rows.map((r) => [r.order_id, { status: r.status, booked: r.booked }]));
}

export interface StockRow {
  readonly available: number;
  readonly reserved: number;
  readonly committed: number;
}

/** inventory-service's catalogue: the three stock buckets per SKU. */
export async function stockBySku(pools: ServicePools): Promise<Map<string, StockRow>> {
  const { rows } = await pools['inventory-service'].query<StockRow & { sku: string }>(
    'SELECT sku, available, reserved, committed FROM catalogue ORDER BY sku',
  );
  return new Map(rows.map(({ sku, ...stock }) => [sku, stock]));
}

/** Outbox rows not yet published, per service database. */
export async function unpublishedOutbox(pools: ServicePools): Promise<Map<ServiceName, number>> {
  const counts = await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const { rows } = await pools[service].query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return [service, rows[0]?.n ?? 0] as const;
    }),
  );
  return new Map(counts);
}

/** A kafkajs admin on the chaos broker; the caller disconnects it. */
export async function connectAdmin(): Promise<Admin> {
  const kafka = createKafka({
    brokers: testEnvironment().kafkaBrokers.split(','),
    clientId: 'chaos-observer',
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

async function recordsIn(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

/** Records in every DLQ topic of the catalogue. */
export async function dlqDepths(admin: Admin): Promise<Map<string, number>> {
  const dlqs = allTopics().filter((t) => t.kind === 'dlq');
  const depths = await Promise.all(
    dlqs.map(async (t) => [t.name, await recordsIn(admin, t.name)] as const),
  );
  return new Map(depths);
}

/** The topics a service's consumer group reads: its business topics and their retry tiers. */
export function groupTopics(group: ServiceName): string[] {
  const business = Object.entries(TOPICS)
    .filter(([, spec]) => (spec.consumers as readonly string[]).includes(group))
    .map(([name]) => name);
  return allTopics()
    .filter((t) => t.kind !== 'dlq')
    .map((t) => t.name)
    .filter((name) => business.some((b) => name === b || name.startsWith(`${b}.${group}.retry.`)));
}

/** Unconsumed records per consumer group (end offset minus committed offset, over its topics). */
export async function consumerLag(admin: Admin): Promise<Map<ServiceName, number>> {
  const lags = await Promise.all(
    SERVICE_NAMES.map(async (group) => {
      const topics = groupTopics(group);
      const committed = await admin.fetchOffsets({ groupId: group, topics });
      let lag = 0;
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const end of ends) {
          const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
          lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
        }
      }
      return [group, lag] as const;
    }),
  );
  return new Map(lags);
}

/** Sum of one Prometheus counter (every label set) on a service's /metrics. */
export async function scrapeCounter(service: ServiceName, name: string): Promise<number> {
  const res = await fetch(url(service, '/metrics'), { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`${service} /metrics answered ${res.status}`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** Counts a customer's final orders every `intervalMs` (for the load's in-flight cap). */
export function watchFinalOrders(
  pools: ServicePools,
  customerId: string,
  intervalMs = 200,
): { count: () => number; stop: () => void } {
  let final = 0;
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const { rows } = await pools['order-service'].query<{ n: number }>(
        "SELECT count(*)::int AS n FROM orders_view WHERE customer_id = $1 AND status <> 'PENDING'",
        [customerId],
      );
      final = rows[0]?.n ?? final;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const running = poll().catch((error: unknown) => {
    process.stderr.write(`[chaos] final-order watcher stopped: ${String(error)}\n`);
  });
  return {
    count: () => final,
    stop: () => {
      stopped = true;
      void running;
    },
  };
}

/**
 * A Prometheus counter summed over every incarnation of every service: a counter restarts at 0
 * with its process, so the highest value seen per process id is kept and those are added up.
 * Sampled every `intervalMs`; call `sample()` once more at the end.
 */
export class CounterAcrossRestarts {
  private readonly maxByPid = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    private readonly pidOf: (service: ServiceName) => number | undefined,
  ) {}

  start(intervalMs = 1_000): void {
    const tick = () => {
      this.timer = setTimeout(() => void this.sample().finally(tick), intervalMs);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async sample(): Promise<void> {
    await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const pid = this.pidOf(service);
        if (pid === undefined) return;
        const value = await scrapeCounter(service, this.name).catch(() => undefined);
        // A scrape answered by a newer process than `pid` only undercounts; never overcounts.
        if (value === undefined || this.pidOf(service) !== pid) return;
        const key = `${service}:${pid}`;
        this.maxByPid.set(key, Math.max(this.maxByPid.get(key) ?? 0, value));
      }),
    );
  }

  /** Total per service. */
  totals(): Map<ServiceName, number> {
    const totals = new Map<ServiceName, number>(SERVICE_NAMES.map((s) => [s, 0]));
    for (const [key, value] of this.maxByPid) {
      const service = key.slice(0, key.lastIndexOf(':')) as ServiceName;
      totals.set(service, (totals.get(service) ?? 0) + value);
    }
    return totals;
  }
}
