import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { eventually } from '@orderflow/testkit';
import type { PlacedOrder } from '../src/domain/index.js';
import type { OrderResource } from '../src/handlers/order-resource.js';
import { saveOrderView } from '../src/store/orders-store.js';
import { startHarness, validBody, type Harness } from './harness.js';

/**
 * Admission control at POST /orders over real HTTP and the real orders database: no saga
 * consumes the orders placed here, so each one stays in flight until the test sends the saga's
 * outcome; the bounds are small so a handful of orders is a backlog.
 */
const MAX_IN_FLIGHT = 4;
const AGE_RANK = 2;

let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness({
    ADMISSION_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    ADMISSION_MAX_OLDEST_AGE_MS: '60000',
    ADMISSION_OLDEST_AGE_RANK: String(AGE_RANK),
    ADMISSION_RETRY_AFTER_S: '3',
  });
  base = await h.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.stop();
});

async function postOrder(): Promise<Response> {
  return fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...h.admin },
    body: JSON.stringify(validBody()),
  });
}

async function count(where: string): Promise<number> {
  const { rows } = await h.orderDb.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders_view ${where}`,
  );
  return rows[0]?.n ?? 0;
}
const inFlight = () => count(`WHERE status = 'PENDING'`);

async function refusals(reason: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = new RegExp(
    `^orderflow_order_admission_refusals_total\\{reason="${reason}"\\} (\\d+)$`,
    'm',
  );
  return Number(match.exec(text)?.[1] ?? Number.NaN);
}

/** Places orders until one is refused; returns the refusal and the orders placed before it. */
async function fillUntilRefused(): Promise<{ refused: Response; placed: string[] }> {
  const placed: string[] = [];
  const refused = await eventually(
    'POST /orders to be refused',
    async () => {
      const response = await postOrder();
      if (response.status !== 202) return response;
      placed.push(((await response.json()) as OrderResource).orderId);
      throw new Error(`still 202 after ${placed.length} order(s)`);
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  return { refused, placed };
}

/** The saga's outcome for each order, through Kafka as in production; waits until none is in flight. */
async function cancelThroughSaga(orderIds: readonly string[]): Promise<void> {
  for (const orderId of orderIds) {
    await h.sagaSends(h.contracts.sagaCancelled, {
      orderId,
      reason: 'STEP_TIMEOUT',
      failedStep: 'RESERVE_INVENTORY',
      detail: 'admission test: backlog cleared',
    });
  }
  await eventually('every order final', async () => {
    const left = await inFlight();
    if (left > 0) throw new Error(`${left} order(s) still in flight`);
  });
}

/** Waits out the cached reading: the first 202 is the gate reopening. */
async function placedOnceAdmitted(): Promise<string> {
  return eventually('POST /orders to be admitted again', async () => {
    const response = await postOrder();
    if (response.status !== 202) throw new Error(`answered ${response.status}`);
    return ((await response.json()) as OrderResource).orderId;
  });
}

describe('admission control at POST /orders', () => {
  it('is in the OpenAPI document: a 503 problem with Retry-After', async () => {
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.paths['/orders']?.post?.responses['503']).toMatchObject({
      headers: { 'retry-after': { schema: { type: 'integer' } } },
      content: {
        'application/problem+json': {
          schema: { required: ['type', 'title', 'status', 'detail', 'instance'] },
        },
      },
    });
  });

  it('refuses with 503, Retry-After and a problem once the in-flight bound is reached, serves reads meanwhile, and admits again once orders are final', async () => {
    const refusedBefore = await refusals('in_flight');
    const { refused, placed } = await fillUntilRefused();

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toEqual({
      type: 'urn:orderflow:problem:over-capacity',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Orders are refused while the platform is past capacity; retry after 3 s',
      instance: '/orders',
      correlationId: refused.headers.get('x-correlation-id'),
      retryAfterSeconds: 3,
    });
    // At least the bound got in (a reading stands for ADMISSION_REFRESH_MS, so a few more may).
    expect(placed.length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
    expect(await inFlight()).toBe(placed.length);

    // A refused order leaves nothing behind, and each refusal is counted.
    const orders = await count('');
    const again = await postOrder();
    expect(again.status).toBe(503);
    expect(await count('')).toBe(orders);
    expect(await refusals('in_flight')).toBe(refusedBefore + 2);

    // Reads, the live stream, health and metrics are never refused.
    const firstId = placed[0] ?? '';
    expect((await fetch(`${base}/orders/${firstId}`, { headers: h.admin })).status).toBe(200);
    expect(
      (await fetch(`${base}/orders?status=PENDING&limit=10`, { headers: h.admin })).status,
    ).toBe(200);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const stream = new AbortController();
    const sse = await fetch(`${base}/orders/${firstId}/stream`, {
      headers: h.admin,
      signal: stream.signal,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    stream.abort();

    await cancelThroughSaga(placed);
    const admitted = await placedOnceAdmitted();
    await cancelThroughSaga([admitted]);
  });

  it('refuses on the age of the ranked oldest in-flight order alone, and admits once those orders are final', async () => {
    expect(await inFlight()).toBe(0); // the previous test left no backlog
    const refusedBefore = await refusals('oldest_age');
    // Two orders placed ten minutes ago and never finished, written as the store writes them:
    // fewer than the in-flight bound, but the 2nd oldest is past the 60 s age bound.
    const placedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const stale = [stuckOrder(placedAt), stuckOrder(placedAt)];
    for (const order of stale) await saveOrderView(h.orderDb.pool, order, new Date());

    // Probed with a body the schema refuses: the gate answers before the body is parsed, so
    // the probe shows its decision (503) or lets the body meet the schema (400), placing nothing.
    const refused = await eventually('the gate to see the stale orders', async () => {
      const response = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...h.admin },
        body: JSON.stringify({ customerId: 'probe' }),
      });
      if (response.status !== 503) throw new Error(`answered ${response.status}`);
      return response;
    });
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(await refusals('oldest_age')).toBe(refusedBefore + 1);
    expect((await postOrder()).status).toBe(503);
    expect(await inFlight()).toBe(stale.length);

    // One stale order finished: the 2nd oldest in flight is young again.
    const [first, second] = stale as [PlacedOrder, PlacedOrder];
    await saveOrderView(
      h.orderDb.pool,
      { ...first, status: 'CANCELLED', version: 2, finalAt: new Date().toISOString() },
      new Date(),
    );
    const admitted = await placedOnceAdmitted();
    await saveOrderView(
      h.orderDb.pool,
      { ...second, status: 'CANCELLED', version: 2, finalAt: new Date().toISOString() },
      new Date(),
    );
    await cancelThroughSaga([admitted]);
  });
});

function stuckOrder(placedAt: string): PlacedOrder {
  const body = validBody();
  return {
    status: 'PENDING',
    orderId: randomUUID(),
    customerId: body.customerId,
    lines: body.items,
    shippingAddress: { ...body.shippingAddress, line2: null },
    channel: 'API',
    placedAt,
    pricedLines: null,
    totalMinor: null,
    currency: null,
    trackingNumber: null,
    steps: [],
    cancellation: null,
    parking: null,
    finalAt: null,
    version: 1,
  };
}
