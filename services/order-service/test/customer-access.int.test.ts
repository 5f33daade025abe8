import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { bearer, eventually } from '@orderflow/testkit';
import type { OrderResource } from '../src/handlers/order-resource.js';
import { startHarness, validBody, type Harness } from './harness.js';

/**
 * A customer token sees and places only its own orders; the bodies POST /orders refuses beyond
 * its schema (trimmed, visible, no control characters, a real country); the SSE stream cap.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ SSE_MAX_STREAMS_PER_CLIENT: '2', SSE_POLL_INTERVAL_MS: '50' });
});
afterAll(async () => {
  await h?.stop();
});

const as = async (customerId: string) => bearer(await h.auth.customer(customerId));

async function get(url: string, headers: Record<string, string>) {
  return h.app.http.inject({ method: 'GET', url, headers });
}

async function placeAs(customerId: string): Promise<OrderResource> {
  const response = await h.post(validBody(customerId), await as(customerId));
  expect(response.statusCode).toBe(202);
  return response.json<OrderResource>();
}

describe('a customer token', () => {
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;
  let alicesOrder: OrderResource;
  let bobsOrder: OrderResource;

  beforeAll(async () => {
    alicesOrder = await placeAs(alice);
    bobsOrder = await placeAs(bob);
  });

  it('places an order for its own customerId and not for another (403, nothing placed)', async () => {
    const response = await h.post(validBody(bob), await as(alice));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ type: 'urn:orderflow:problem:forbidden' });
    const bobs = await get(`/orders?customerId=${bob}`, h.admin);
    expect(bobs.json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  it.each(['', '/history', '?asOf=1'])(
    "reads its own order%s, and gets 404 for another customer's",
    async (suffix) => {
      const own = await get(`/orders/${alicesOrder.orderId}${suffix}`, await as(alice));
      expect(own.statusCode).toBe(200);
      const other = await get(`/orders/${bobsOrder.orderId}${suffix}`, await as(alice));
      expect(other.statusCode).toBe(404);
      // The same answer as for an order that does not exist, so ids cannot be probed.
      const missing = await get(`/orders/${randomUUID()}${suffix}`, await as(alice));
      expect(other.json<{ detail: string }>().detail).toMatch(/^No order /);
      expect(missing.statusCode).toBe(404);
    },
  );

  it("gets 404 for another customer's SSE stream", async () => {
    const other = await get(`/orders/${bobsOrder.orderId}/stream`, await as(alice));
    expect(other.statusCode).toBe(404);
  });

  it('lists its own orders only, and may not ask for another customer (403)', async () => {
    const listed = await get('/orders?limit=100', await as(alice));
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ items: { customerId: string }[] }>().items;
    expect(items.map((o) => o.customerId)).toEqual([alice]);
    expect((await get(`/orders?customerId=${alice}`, await as(alice))).statusCode).toBe(200);
    expect((await get(`/orders?customerId=${bob}`, await as(alice))).statusCode).toBe(403);
  });

  it('leaves an admin token every order, and the whole list', async () => {
    expect((await get(`/orders/${bobsOrder.orderId}`, h.admin)).statusCode).toBe(200);
    const all = await get('/orders?limit=100', h.admin);
    const customers = new Set(
      all.json<{ items: { customerId: string }[] }>().items.map((o) => o.customerId),
    );
    expect(customers.has(alice) && customers.has(bob)).toBe(true);
  });
});

describe('POST /orders input beyond the schema', () => {
  const address = validBody().shippingAddress;
  const withAddress = (change: Record<string, string>) => ({
    ...validBody(),
    shippingAddress: { ...address, ...change },
  });

  it.each([
    ['an unknown country code', { country: 'XX' }, 'body/shippingAddress/country'],
    ['a lower-case country code', { country: 'fr' }, 'body/shippingAddress/country'],
    ['a name of spaces', { name: '   ' }, 'body/shippingAddress/name'],
    [
      'a name of zero-width characters',
      { name: '\u200b\u200c\u2060\ufeff' },
      'body/shippingAddress/name',
    ],
    [
      'a name of a Hangul filler and a no-break space',
      { name: '\u3164\u00a0' },
      'body/shippingAddress/name',
    ],
    ['a bell in line1', { line1: '1 Main St\u0007' }, 'body/shippingAddress/line1'],
    ['an ANSI escape in the city', { city: '\u001b[31mParis' }, 'body/shippingAddress/city'],
    ['a newline in line2', { line2: 'Flat 2\nFloor 3' }, 'body/shippingAddress/line2'],
    ['a tab in the postal code', { postalCode: '75\t001' }, 'body/shippingAddress/postalCode'],
  ])('refuses %s with a 400 naming the field', async (_case, change, path) => {
    const response = await h.post(withAddress(change));
    expect(response.statusCode).toBe(400);
    const problem = response.json<{ type: string; errors: { path: string }[] }>();
    expect(problem.type).toBe('urn:orderflow:problem:validation-error');
    expect(problem.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses a __proto__ key with a 400 that names it', async () => {
    const body = JSON.stringify(validBody()).replace('{', '{"__proto__":{"isAdmin":true},');
    const response = await h.post(body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      type: 'urn:orderflow:problem:forbidden-key',
      errors: [{ property: '__proto__' }],
    });
  });

  it('trims the address, keeps letters of any script, and drops an empty line2', async () => {
    const response = await h.post(
      withAddress({
        name: '  Zoë Ångström\u200d ',
        line1: ' 1 Main St ',
        line2: '   ',
        city: '東京',
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(response.json<OrderResource>().shippingAddress).toMatchObject({
      name: 'Zoë Ångström\u200d',
      line1: '1 Main St',
      line2: null,
      city: '東京',
    });
  });
});

describe('the SSE stream cap', () => {
  it('serves SSE_MAX_STREAMS_PER_CLIENT open streams per client, then 429, and frees a slot when one closes', async () => {
    const carol = `carol-${randomUUID()}`;
    const order = await placeAs(carol);
    const base = await h.app.http.listen({ port: 0, host: '127.0.0.1' });
    const headers = await as(carol);
    const open = async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/orders/${order.orderId}/stream`, {
        headers,
        signal: controller.signal,
      });
      return { response, close: () => controller.abort() };
    };
    const first = await open();
    const second = await open();
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    // Helmet's headers reach the hijacked stream too.
    expect(first.response.headers.get('x-content-type-options')).toBe('nosniff');
    const third = await open();
    expect(third.response.status).toBe(429);
    expect(third.response.headers.get('retry-after')).toBe('5');
    expect(await third.response.json()).toMatchObject({
      type: 'urn:orderflow:problem:too-many-streams',
    });
    // Another client is not affected.
    const admins = await fetch(`${base}/orders/${order.orderId}/stream`, {
      headers: h.admin,
      signal: AbortSignal.timeout(2_000),
    });
    expect(admins.status).toBe(200);
    first.close();
    const reopened = await eventually('a slot to be freed by the closed stream', async () => {
      const attempt = await open();
      if (attempt.response.status === 200) return attempt;
      await attempt.response.body?.cancel();
      throw new Error(`answered ${attempt.response.status}`);
    });
    expect(reopened.response.status).toBe(200);
    second.close();
    reopened.close();
  });
});
