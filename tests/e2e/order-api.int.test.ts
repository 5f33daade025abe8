import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { SERVICES } from '@orderflow/contracts';
import {
  evolve,
  initialOrderState,
  orderStreamId,
  type OrderEvent,
  type OrderState,
} from '@orderflow/order-service/domain';
import { testEnvironment } from '@orderflow/testkit';
import {
  asAdmin,
  getJson,
  openOrderStream,
  orderRequest,
  placeOrder,
  settled,
  url,
  type OrderStreamFrame,
} from './platform.js';

/**
 * order-service's HTTP API over the running platform: the SSE stream of a real order (live and
 * resumed with Last-Event-ID), the order as of each version, snapshot-based rebuilds against a
 * fold of the whole event log, and malformed POST /orders bodies.
 */

// The simulated gateway approves `tok_slow_<ms>` after <ms> (payment-service's
// SIMULATED_GATEWAY_MAX_DELAY_MS caps it at 30 s; the saga's SAGA_PROCESS_PAYMENT_TIMEOUT_MS
// fails the step after 30 s; the stack's launcher sets neither, so the defaults hold). 5 s leaves the test
// a wide window to drop and resume the stream while the order is still PENDING.
const PAYMENT_DELAY_MS = 5_000;
const slowToken = `tok_slow_${PAYMENT_DELAY_MS}`;

interface HistoryEntry {
  readonly version: number;
  readonly type: OrderEvent['type'];
  readonly recordedAt: string;
  readonly data: OrderEvent;
}

interface History {
  readonly orderId: string;
  readonly version: number;
  readonly events: HistoryEntry[];
}

/** GET /orders/:id as order-service answers it (handlers/order-resource.ts). */
type OrderResource = Record<string, unknown> & {
  readonly status: string;
  readonly version: number;
};

async function history(orderId: string): Promise<History> {
  const { status, body } = await getJson<History>('order-service', `/orders/${orderId}/history`);
  expect(status).toBe(200);
  return body;
}

async function orderAsOf(orderId: string, asOf?: number): Promise<OrderResource> {
  const query = asOf === undefined ? '' : `?asOf=${asOf}`;
  const { status, body } = await getJson<OrderResource>(
    'order-service',
    `/orders/${orderId}${query}`,
  );
  expect(status).toBe(200);
  return body;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const stepOf = (frame: OrderStreamFrame): string =>
  `${String(frame.data.event.step)} ${String(frame.data.event.status)}`;

describe('GET /orders/:id/stream', () => {
  it('streams every change of a real order in order, and resumes exactly after Last-Event-ID', async () => {
    // Both fields carry the token until payment.token travels end to end: the simulator reads
    // whichever the payment-service of the day reads.
    const placed = await placeOrder(
      orderRequest({ customerId: slowToken, payment: { token: slowToken } }),
    );
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;

    const first = await openOrderStream(orderId);
    // The gateway holds the payment for PAYMENT_DELAY_MS from here: drop the connection mid-flow.
    await first.waitFor(
      'PROCESS_PAYMENT STARTED',
      (f) => f.event === 'StepRecorded' && stepOf(f) === 'PROCESS_PAYMENT STARTED',
    );
    await first.close();
    const before = first.frames();
    const lastEventId = before.at(-1)?.id ?? '';
    expect(before.map((f) => f.data.status)).not.toContain('COMPLETED');
    expect((await orderAsOf(orderId)).status).toBe('PENDING');

    const second = await openOrderStream(orderId, lastEventId);
    const after = await second.waitForEnd(PAYMENT_DELAY_MS + 15_000);

    const log = await history(orderId);
    const all = [...before, ...after];
    // No gap and no repeat, across the reconnect: versions 1..latest exactly once, in order.
    expect(all.map((f) => f.data.version)).toEqual(range(1, log.version));
    expect(after[0]?.data.version).toBe(Number(lastEventId) + 1);
    // The resumed stream was live: it carried the payment's outcome, which came after the drop.
    expect(after.map(stepOf)).toContain('PROCESS_PAYMENT SUCCEEDED');
    for (const frame of all) {
      expect(frame.id).toBe(String(frame.data.version));
      expect(frame.event).toBe(frame.data.type);
      expect(frame.data.orderId).toBe(orderId);
    }
    // Each frame is the event the log holds at that version.
    expect(all.map((f) => [f.data.version, f.data.type, f.data.event])).toEqual(
      log.events.map((e) => [e.version, e.type, e.data]),
    );
    expect(all.map((f) => f.data.status)).toEqual([
      ...Array<string>(log.version - 1).fill('PENDING'),
      'COMPLETED',
    ]);
    expect(all.filter((f) => f.event === 'StepRecorded').map(stepOf)).toEqual([
      'RESERVE_INVENTORY STARTED',
      'RESERVE_INVENTORY SUCCEEDED',
      'PROCESS_PAYMENT STARTED',
      'PROCESS_PAYMENT SUCCEEDED',
      'COMMIT_INVENTORY STARTED',
      'COMMIT_INVENTORY SUCCEEDED',
      'SCHEDULE_SHIPMENT STARTED',
      'SCHEDULE_SHIPMENT SUCCEEDED',
    ]);
    // The slow token took effect, so the reconnect above really happened mid-payment.
    const at = (step: string) =>
      Date.parse(String(all.find((f) => stepOf(f) === step)?.data.event.at));
    expect(at('PROCESS_PAYMENT SUCCEEDED') - at('PROCESS_PAYMENT STARTED')).toBeGreaterThanOrEqual(
      PAYMENT_DELAY_MS - 50,
    );

    // Resuming from the last version of a final order: nothing more, and the stream ends.
    const caughtUp = await openOrderStream(orderId, String(log.version));
    expect(await caughtUp.waitForEnd()).toEqual([]);
    const beyond = await fetch(url('order-service', `/orders/${orderId}/stream`), {
      headers: { ...(await asAdmin()), 'last-event-id': String(log.version + 1) },
    });
    expect(beyond.status).toBe(400);
    expect(beyond.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

/** What GET /orders/:id should say at `version`, read off the history alone (not the service's fold). */
function expectedAt(log: History, version: number): Record<string, unknown> {
  const events = log.events.slice(0, version).map((e) => e.data);
  const completed = events.find((e) => e.type === 'OrderCompleted');
  return {
    version,
    status: completed ? 'COMPLETED' : 'PENDING',
    steps: events.flatMap((e) =>
      e.type === 'StepRecorded'
        ? [{ step: e.step, status: e.status, at: e.at, detail: e.detail }]
        : [],
    ),
    pricedLines: completed?.pricedLines ?? null,
    total: completed ? { amountMinor: completed.totalMinor, currency: completed.currency } : null,
    trackingNumber: completed?.trackingNumber ?? null,
    finalAt: completed?.completedAt ?? null,
    cancellation: null,
    parking: null,
  };
}

describe('GET /orders/:id?asOf=<version>', () => {
  // One completed order serves every case here (placed on first use).
  let completed: Promise<History> | undefined;
  const completedOrder = (): Promise<History> =>
    (completed ??= (async () => {
      const { orderId } = (await placeOrder(orderRequest())).body;
      expect((await settled(orderId)).status).toBe('COMPLETED');
      return history(orderId);
    })());

  it('answers the state at every version of a completed order, as its event log says', async () => {
    const log = await completedOrder();
    const { orderId } = log;
    expect(log.events.map((e) => e.version)).toEqual(range(1, log.version));
    expect(log.events[0]?.type).toBe('OrderPlaced');
    expect(log.events.at(-1)?.type).toBe('OrderCompleted');

    const latest = await orderAsOf(orderId);
    expect(latest.version).toBe(log.version);
    const asOf = await Promise.all(range(1, log.version).map((v) => orderAsOf(orderId, v)));
    asOf.forEach((order, i) => {
      expect(order).toMatchObject(expectedAt(log, i + 1));
      // What no event after the first changes stays as placed.
      for (const key of ['orderId', 'customerId', 'channel', 'placedAt', 'lines'] as const) {
        expect(order[key]).toEqual(latest[key]);
      }
    });
    expect(asOf.at(-1)).toEqual(latest);
  });

  it.each(['0', '-1', '1.5', 'abc', '', '1e1', 'LATEST+1'])(
    'refuses asOf=%s with a 400 problem',
    async (asOf) => {
      const { orderId, version: latest } = await completedOrder();
      const value = asOf === 'LATEST+1' ? String(latest + 1) : asOf;
      const res = await fetch(
        url('order-service', `/orders/${orderId}?asOf=${encodeURIComponent(value)}`),
        { headers: await asAdmin() },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    },
  );

  it('answers asOf for an unknown order with a 404 problem', async () => {
    const res = await fetch(url('order-service', `/orders/${randomUUID()}?asOf=1`), {
      headers: await asAdmin(),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

let pool: pg.Pool | undefined;
afterAll(async () => {
  await pool?.end();
});

/** order-service's own database on the stack's server (the launcher's serviceDatabaseUrl). */
function orderDatabase(): pg.Pool {
  if (!pool) {
    const server = new URL(testEnvironment().databaseUrl);
    server.pathname = `/${SERVICES['order-service'].database}`;
    pool = new pg.Pool({ connectionString: server.toString(), max: 2 });
  }
  return pool;
}

/** The HTTP shape of a folded state (handlers/order-resource.ts): the total as one object. */
function asResource(state: OrderState): Record<string, unknown> {
  if (state.status === 'NONE') throw new Error('no order in this state');
  const { totalMinor, currency, ...rest } = state;
  return {
    ...rest,
    total: totalMinor === null || currency === null ? null : { amountMinor: totalMinor, currency },
  };
}

describe('snapshots', () => {
  // How this is proved, and why this way: order-service snapshots its Order every SNAPSHOT_EVERY
  // events (src/config.ts, 10 by default; the stack's launcher does not override it), and its
  // reads start from the latest snapshot at or below the version asked for. The reference is a
  // fold of *every* event from version 1, read straight from the service's `events` table and
  // folded with order-service's own pure `evolve` (its `./domain` export): the property under test
  // is that snapshot + tail == whole fold (snapshot timing, its JSON round trip, the tail read),
  // not the fold's business rules, which the asOf test above checks against the event log. The
  // stored snapshot rows are compared with the fold as well, so a wrong snapshot cannot hide
  // behind a read path that happens to skip it.
  it('rebuilds an order with more events than the snapshot interval exactly as a fold from the first event', async () => {
    // Shipping refuses Japan, so the saga compensates: more steps than a completed order has.
    const placed = await placeOrder(
      orderRequest({
        items: [{ sku: 'KEYBOARD-MECH', quantity: 1 }],
        shippingAddress: {
          name: 'Ada',
          line1: '1-1 Chiyoda',
          city: 'Tokyo',
          postalCode: '100-0001',
          country: 'JP',
        },
      }),
    );
    const { orderId } = placed.body;
    expect((await settled(orderId)).status).toBe('CANCELLED');
    const db = orderDatabase();
    const streamId = orderStreamId(orderId);
    const { rows: events } = await db.query<{ version: number; data: OrderEvent }>(
      'SELECT version, data FROM events WHERE stream_id = $1 ORDER BY version',
      [streamId],
    );
    const { rows: snapshots } = await db.query<{ version: number; state: OrderState }>(
      'SELECT version, state FROM snapshots WHERE stream_id = $1 ORDER BY version',
      [streamId],
    );
    const latest = events.length;
    expect(events.map((e) => e.version)).toEqual(range(1, latest));
    // A snapshot exists, and events follow it: the latest read is snapshot + tail, not either alone.
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.at(-1)?.version ?? latest).toBeLessThan(latest);

    const folds: OrderState[] = [initialOrderState()];
    for (const event of events) folds.push(evolve(folds.at(-1) ?? initialOrderState(), event.data));
    for (const snapshot of snapshots) expect(snapshot.state).toEqual(folds[snapshot.version]);

    expect(await orderAsOf(orderId)).toEqual(asResource(folds[latest] ?? initialOrderState()));
    const asOf = await Promise.all(range(1, latest).map((v) => orderAsOf(orderId, v)));
    asOf.forEach((order, i) => {
      expect(order).toEqual(asResource(folds[i + 1] ?? initialOrderState()));
    });
  });
});

describe('POST /orders with a malformed request', () => {
  // Every malformed request names this customer, so the list endpoint can show none was placed.
  const customerId = `c-malformed-${randomUUID()}`;
  const good = () => orderRequest({ customerId });
  const json = (body: unknown) => JSON.stringify(body);
  /** `good()` as JSON with one more raw member, for keys an object literal cannot carry. */
  const withRawMember = (member: string) => `${json(good()).slice(0, -1)},${member}}`;
  const nested = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth);
  const jsonType = { 'content-type': 'application/json' };

  const cases: [
    string,
    { body?: string | Uint8Array; headers?: Record<string, string> },
    number,
  ][] = [
    ['bad JSON', { body: '{"customerId": "c", "items": [' }, 400],
    ['a JSON string', { body: '"an order"' }, 400],
    ['a JSON array', { body: json([good()]) }, 400],
    ['null', { body: 'null' }, 400],
    ['a number for the customer', { body: json({ ...good(), customerId: 42 }) }, 400],
    [
      'a string quantity',
      { body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: '2' }] }) },
      400,
    ],
    ['items as an object', { body: json({ ...good(), items: { sku: 'USB-C-CABLE' } }) }, 400],
    ['an unknown field', { body: json({ ...good(), discount: 50 }) }, 400],
    [
      'a client price on a line',
      {
        body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: 1, priceMinor: 1 }] }),
      },
      400,
    ],
    [
      'a zero quantity',
      { body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: 0 }] }) },
      400,
    ],
    [
      'a negative quantity',
      { body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: -3 }] }) },
      400,
    ],
    [
      'a fractional quantity',
      { body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: 1.5 }] }) },
      400,
    ],
    ['no items', { body: json({ ...good(), items: [] }) }, 400],
    ['a missing payment', { body: json({ ...good(), payment: undefined }) }, 400],
    [
      'a missing country',
      {
        body: json({
          ...good(),
          shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Paris', postalCode: '1' },
        }),
      },
      400,
    ],
    ['an empty object', { body: '{}' }, 400],
    ['a 2 MiB body', { body: json({ ...good(), customerId: 'x'.repeat(2 * 1024 * 1024) }) }, 413],
    ['text/plain', { body: json(good()), headers: { 'content-type': 'text/plain' } }, 415],
    [
      'form data',
      {
        body: 'customerId=c',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      415,
    ],
    // A byte body gets no content-type from fetch.
    ['no content type', { body: new TextEncoder().encode(json(good())), headers: {} }, 415],
    ['an empty body', { body: '' }, 400],
    ['no body at all', {}, 400],
    ['a __proto__ key', { body: withRawMember('"__proto__":{"isAdmin":true}') }, 400],
    [
      'a nested __proto__ key',
      { body: json(good()).replace('"token":', '"__proto__":{"x":1},"token":') },
      400,
    ],
    ['a constructor.prototype key', { body: withRawMember('"constructor":{"prototype":{}}') }, 400],
    ['deeply nested arrays', { body: nested(100_000, '1') }, 400],
    [
      'a deeply nested quantity',
      {
        body: json({ ...good(), items: [{ sku: 'USB-C-CABLE', quantity: 1 }] }).replace(
          '"quantity":1',
          `"quantity":${nested(200_000, '1')}`,
        ),
      },
      400,
    ],
    ['a deeply nested unknown field', { body: withRawMember(`"x":${nested(200_000, '{}')}`) }, 400],
    // Valid JSON the schema accepts, but text Postgres cannot store (service-runtime refuses it).
    ['a NUL in a string', { body: json({ ...good(), customerId: `${customerId}\u0000` }) }, 400],
    ['an unpaired surrogate', { body: json({ ...good(), payment: { token: 'tok_\ud800' } }) }, 400],
    [
      'the same SKU on two lines',
      {
        body: json({
          ...good(),
          items: [
            { sku: 'USB-C-CABLE', quantity: 1 },
            { sku: 'USB-C-CABLE', quantity: 1 },
          ],
        }),
      },
      422,
    ],
  ];

  // Reordered so the title can print the expected status.
  it.each(cases.map(([name, request, status]) => [name, status, request] as const))(
    'refuses %s with a %i problem, never a 5xx',
    async (_name, status, request) => {
      const res = await fetch(url('order-service', '/orders'), {
        method: 'POST',
        headers: { ...(await asAdmin()), ...(request.headers ?? jsonType) },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(10_000), // a hang fails here rather than at the test timeout
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status, instance: '/orders' });
      expect(typeof problem.type).toBe('string');
      expect(typeof problem.title).toBe('string');
      expect(typeof problem.detail).toBe('string');
    },
  );

  it('placed none of them, and still places a good order with 202', async () => {
    const listed = async () =>
      (
        await getJson<{ items: { orderId: string }[] }>(
          'order-service',
          `/orders?customerId=${encodeURIComponent(customerId)}`,
        )
      ).body.items;
    expect(await listed()).toEqual([]);
    const placed = await placeOrder(good());
    expect(placed.status).toBe(202);
    expect((await listed()).map((o) => o.orderId)).toEqual([placed.body.orderId]);
    await settled(placed.body.orderId);
  });
});
