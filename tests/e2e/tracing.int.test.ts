import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '@orderflow/contracts';
import { loadStackConfig, zipkinUrl } from '@orderflow/infra';
import { eventually } from '@orderflow/testkit';
import { orderRequest, placeOrder, settled } from './platform.js';
import { TopicTap, type TappedRecord } from './topic-tap.js';

/** Every message one completed order produces, whichever service writes it. */
const HAPPY_PATH_TYPES = [
  'orders.OrderPlaced',
  'saga.ReserveInventory',
  'inventory.InventoryReserved',
  'saga.ProcessPayment',
  'payments.PaymentCaptured',
  'saga.CommitInventory',
  'inventory.InventoryCommitted',
  'saga.ScheduleShipment',
  'shipping.ShipmentScheduled',
  'saga.SagaStepsChanged',
  'saga.SagaCompleted',
  'orders.OrderCompleted',
];

const traceIdOf = (record: TappedRecord) => record.envelope.traceparent?.split('-')[1];

describe('tracing and correlation across the platform', () => {
  it('carries the HTTP request trace id and correlation id through every service to the end', async () => {
    const tap = await TopicTap.mark();
    const traceId = randomBytes(16).toString('hex');
    const correlationId = `e2e-trace-${randomUUID()}`;
    const placed = await placeOrder(orderRequest(), {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'x-correlation-id': correlationId,
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect((await settled(orderId)).status).toBe('COMPLETED');

    const records = await tap.recordsFor(orderId, (seen) =>
      HAPPY_PATH_TYPES.every((type) => seen.some((r) => r.envelope.type === type)),
    );

    // Written by all five services...
    expect(new Set(records.map((r) => r.envelope.source))).toEqual(
      new Set(Object.keys(SERVICES).map((service) => `/services/${service}`)),
    );
    // ...each one in the request's trace and under its correlation id.
    expect(records.filter((r) => traceIdOf(r) !== traceId).map((r) => r.envelope.type)).toEqual([]);
    expect(
      records.filter((r) => r.envelope.correlationId !== correlationId).map((r) => r.envelope.type),
    ).toEqual([]);
    // Every record but the first names, as its cause, another record of the same order.
    const ids = new Set(records.map((r) => r.envelope.id));
    const roots = records.filter((r) => r.envelope.causationId === undefined);
    expect(roots.map((r) => r.envelope.type)).toEqual(['orders.OrderPlaced']);
    expect(
      records
        .filter((r) => r.envelope.causationId !== undefined && !ids.has(r.envelope.causationId))
        .map((r) => r.envelope.type),
    ).toEqual([]);
  });
});

interface ZipkinSpan {
  readonly id: string;
  readonly parentId?: string;
  readonly kind?: 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  readonly name?: string;
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly tags?: Readonly<Record<string, string>>;
}

const stack = loadStackConfig();
const zipkin = zipkinUrl(stack);
const zipkinRuns = await fetch(`${zipkin}/health`, { signal: AbortSignal.timeout(2_000) }).then(
  (res) => res.ok,
  () => false,
);
const withZipkin = zipkinRuns ? it : it.skip;

describe(`traces in Zipkin${zipkinRuns ? '' : ` (skipped: no Zipkin at ${zipkin}; run ./dev stack up --with tracing)`}`, () => {
  withZipkin(
    'shows one order as one tree: the HTTP request, then every hop through all five services',
    async () => {
      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      const placed = await placeOrder(orderRequest(), {
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      });
      expect(placed.status).toBe(202);
      expect((await settled(placed.body.orderId)).status).toBe('COMPLETED');

      const services = Object.keys(SERVICES);
      // Spans arrive in batches (every 5 s per service): wait until every service's are in.
      const spans = await eventually(
        `trace ${traceId} in Zipkin with spans from ${services.join(', ')} (services started before Zipkin do not export: restart them)`,
        async () => {
          const res = await fetch(`${zipkin}/api/v2/trace/${traceId}`);
          if (!res.ok) throw new Error(`Zipkin answered ${res.status}`);
          const found = (await res.json()) as ZipkinSpan[];
          const seen = new Set(found.map((s) => s.localEndpoint?.serviceName));
          const missing = services.filter((s) => !seen.has(s));
          if (missing.length > 0) throw new Error(`no spans yet from ${missing.join(', ')}`);
          return found;
        },
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );

      // One tree: a single span's parent is outside the trace (our caller's), and it is the request.
      const ids = new Set(spans.map((s) => s.id));
      const roots = spans.filter((s) => s.parentId === undefined || !ids.has(s.parentId));
      expect(roots.map((s) => [s.localEndpoint?.serviceName, s.kind, s.parentId])).toEqual([
        ['order-service', 'SERVER', callerSpanId],
      ]);
      const request = roots[0];
      expect(request?.tags?.['http.method'] ?? request?.tags?.['http.request.method']).toBe('POST');
      // Every service handled a record of this order inside the trace (order-service: the outcome).
      const consumers = new Set(
        spans.filter((s) => s.kind === 'CONSUMER').map((s) => s.localEndpoint?.serviceName),
      );
      expect([...consumers].sort()).toEqual([...services].sort());
    },
  );
});
