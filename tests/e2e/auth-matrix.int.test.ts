import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ServiceName } from '@orderflow/contracts';
import { bearer, type TestAuth } from '@orderflow/testkit';
import { orderRequest, placeOrder, settled, stackTokens, url } from './platform.js';

/**
 * Every HTTP route of every service, against the running stack, with each kind of bad
 * credential: no token, an expired one, one signed by another key, one with no known role, and
 * another customer's. The routes come from each service's own OpenAPI document, so a route added
 * without a row here fails the test instead of going unchecked.
 */
type Case =
  'none' | 'expired' | 'wrongSignature' | 'wrongRole' | 'otherCustomer' | 'owner' | 'admin';

interface Route {
  readonly service: ServiceName;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** As the OpenAPI document writes it (`{orderId}`). */
  readonly path: string;
  readonly expect: Readonly<Record<Case, number>>;
}

const unauthenticated = { none: 401, expired: 401, wrongSignature: 401, wrongRole: 403 } as const;
/** The owner's own order: another customer is told it does not exist. */
const customerOwned = { ...unauthenticated, otherCustomer: 404, owner: 200, admin: 200 } as const;
/** Operator routes: no customer may use them, whoever's order it is. */
const adminOnly = { ...unauthenticated, otherCustomer: 403, owner: 403, admin: 200 } as const;

const ROUTES: readonly Route[] = [
  // POST /orders with the owner's customerId: another customer's token may not place it.
  {
    service: 'order-service',
    method: 'POST',
    path: '/orders',
    expect: { ...customerOwned, otherCustomer: 403, owner: 202, admin: 202 },
  },
  // The list answers everyone with a role; what it shows is checked below.
  {
    service: 'order-service',
    method: 'GET',
    path: '/orders',
    expect: { ...customerOwned, otherCustomer: 200 },
  },
  { service: 'order-service', method: 'GET', path: '/orders/{id}', expect: customerOwned },
  { service: 'order-service', method: 'GET', path: '/orders/{id}/history', expect: customerOwned },
  { service: 'order-service', method: 'GET', path: '/orders/{id}/stream', expect: customerOwned },
  // The catalogue is every customer's to read; changing it is an operator's.
  {
    service: 'inventory-service',
    method: 'GET',
    path: '/inventory',
    expect: { ...customerOwned, otherCustomer: 200 },
  },
  {
    service: 'inventory-service',
    method: 'GET',
    path: '/inventory/{sku}',
    expect: { ...customerOwned, otherCustomer: 200 },
  },
  { service: 'inventory-service', method: 'PUT', path: '/inventory/{sku}', expect: adminOnly },
  { service: 'payment-service', method: 'GET', path: '/payments/{orderId}', expect: adminOnly },
  { service: 'shipping-service', method: 'GET', path: '/shipments/{orderId}', expect: adminOnly },
  { service: 'order-saga', method: 'GET', path: '/sagas/{orderId}', expect: adminOnly },
  // A completed saga is not parked: past authorisation, resume answers 409.
  {
    service: 'order-saga',
    method: 'POST',
    path: '/sagas/{orderId}/resume',
    expect: { ...adminOnly, admin: 409 },
  },
];

const OPEN_PATHS = ['/health/live', '/health/ready', '/metrics'];
const SERVICES: readonly ServiceName[] = [
  'order-service',
  'inventory-service',
  'payment-service',
  'shipping-service',
  'order-saga',
];
const CASES: readonly Case[] = [
  'none',
  'expired',
  'wrongSignature',
  'wrongRole',
  'otherCustomer',
  'owner',
  'admin',
];

let auth: TestAuth;
const owner = `owner-${randomUUID()}`;
const other = `other-${randomUUID()}`;
let orderId: string;
let tokens: Record<Case, string | undefined>;
const SKU = 'USB-C-CABLE';

beforeAll(async () => {
  auth = await stackTokens();
  tokens = {
    none: undefined,
    expired: await auth.expired(owner),
    wrongSignature: await auth.wrongSignature(owner),
    wrongRole: await auth.wrongRole(owner),
    otherCustomer: await auth.customer(other),
    owner: await auth.customer(owner),
    admin: await auth.admin(),
  };
  const placed = await placeOrder(orderRequest({ customerId: owner }), bearer(tokens.owner ?? ''));
  expect(placed.status).toBe(202);
  orderId = placed.body.orderId;
  await settled(orderId); // payments, shipments and the saga exist for it
});

let available: number | undefined;
async function request(route: Route, token: string | undefined): Promise<number> {
  const path = route.path
    .replace('{id}', orderId)
    .replace('{orderId}', orderId)
    .replace('{sku}', SKU);
  const headers: Record<string, string> = token === undefined ? {} : bearer(token);
  let body: string | undefined;
  if (route.method === 'POST' && route.path === '/orders') {
    body = JSON.stringify(orderRequest({ customerId: owner }));
  } else if (route.method === 'PUT') {
    // The stock it has now: an admin's accepted PUT changes nothing other tests see.
    if (available === undefined) {
      const res = await fetch(url('inventory-service', `/inventory/${SKU}`), {
        headers: bearer(tokens.admin ?? ''),
      });
      available = ((await res.json()) as { available: number }).available;
    }
    body = JSON.stringify({ available });
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const res = await fetch(url(route.service, path), {
    method: route.method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: controller.signal,
  });
  controller.abort(); // an accepted stream would go on until the order is final: its status is enough
  return res.status;
}

describe('the route list is complete', () => {
  it.each(SERVICES)(
    '%s has a matrix row for every route in its OpenAPI document',
    async (service) => {
      const res = await fetch(url(service, '/docs/json'));
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths)
        .filter(([path]) => !OPEN_PATHS.includes(path))
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      const covered = ROUTES.filter((r) => r.service === service)
        .map((r) => `${r.method} ${r.path}`)
        .sort();
      expect(documented).toEqual(covered);
    },
  );
});

describe.each(ROUTES)('$method $path on $service', (route) => {
  it.each(CASES)('with %s', async (kind) => {
    expect(await request(route, tokens[kind])).toBe(route.expect[kind]);
  });
});

describe('what a customer sees', () => {
  it('GET /orders lists only its own orders, and another customer’s list never shows them', async () => {
    const list = async (token: string | undefined, query = '') => {
      const res = await fetch(url('order-service', `/orders?limit=100${query}`), {
        headers: bearer(token ?? ''),
      });
      return {
        status: res.status,
        ids: ((await res.json()) as { items?: { orderId: string; customerId: string }[] }).items,
      };
    };
    const mine = await list(tokens.owner);
    expect(mine.ids?.map((o) => o.customerId).every((c) => c === owner)).toBe(true);
    expect(mine.ids?.map((o) => o.orderId)).toContain(orderId);
    const theirs = await list(tokens.otherCustomer);
    expect(theirs.ids?.some((o) => o.orderId === orderId || o.customerId === owner)).toBe(false);
    expect((await list(tokens.otherCustomer, `&customerId=${owner}`)).status).toBe(403);
  });

  it('an open endpoint needs no token: health, metrics, the OpenAPI document', async () => {
    for (const service of SERVICES) {
      for (const path of [...OPEN_PATHS, '/docs/json']) {
        expect([service, path, (await fetch(url(service, path))).status]).toEqual([
          service,
          path,
          200,
        ]);
      }
    }
  });
});
