import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpApp } from '@orderflow/service-runtime';
import { placeOrderRoute, type PlaceOrderDeps } from '../../src/handlers/place-order.js';
import { orderHttpApp } from './http-fixture.js';

/**
 * The limits README "What POST /orders accepts" documents, at and one past each bound, on the
 * real route with no database: a body within every limit gets past validation to the placement,
 * which here fails on purpose (500); one past a limit is a 400 naming that field.
 */
let app: HttpApp;
let admin: { authorization: string };

beforeAll(async () => {
  ({ app, admin } = await orderHttpApp());
  const deps = {
    admission: { check: () => Promise.resolve(undefined) },
    newId: () => {
      throw new Error('reached placement');
    },
  };
  placeOrderRoute(app, deps as unknown as PlaceOrderDeps);
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

const address = {
  name: 'Ada',
  line1: '1 Main St',
  city: 'Paris',
  postalCode: '75001',
  country: 'FR',
};
const body = (over: Record<string, unknown> = {}) => ({
  customerId: 'c-1',
  items: [{ sku: 'USB-C-CABLE', quantity: 1 }],
  payment: { token: 'tok_approve' },
  shippingAddress: address,
  ...over,
});
const withAddress = (field: string, value: string) => ({
  shippingAddress: { ...address, [field]: value },
});
const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));

async function post(payload: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/orders', headers: admin, payload });
  const paths =
    response.statusCode === 400
      ? response.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)
      : [];
  return { status: response.statusCode, paths };
}

// [documented limit, body at the limit, body one past it, the path the 400 names]
const LIMITS: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
  [
    'quantity 1–10,000',
    { items: [{ sku: 'A', quantity: 10_000 }] },
    { items: [{ sku: 'A', quantity: 10_001 }] },
    'body/items/0/quantity',
  ],
  [
    'customerId ≤ 128',
    { customerId: 'c'.repeat(128) },
    { customerId: 'c'.repeat(129) },
    'body/customerId',
  ],
  ['1–50 lines', { items: lines(50) }, { items: lines(51) }, 'body/items'],
  [
    'sku ≤ 64',
    { items: [{ sku: 'S'.repeat(64), quantity: 1 }] },
    { items: [{ sku: 'S'.repeat(65), quantity: 1 }] },
    'body/items/0/sku',
  ],
  [
    'payment.token ≤ 256',
    { payment: { token: 't'.repeat(256) } },
    { payment: { token: 't'.repeat(257) } },
    'body/payment/token',
  ],
  [
    'name ≤ 200',
    withAddress('name', 'n'.repeat(200)),
    withAddress('name', 'n'.repeat(201)),
    'body/shippingAddress/name',
  ],
  [
    'line1 ≤ 200',
    withAddress('line1', 'l'.repeat(200)),
    withAddress('line1', 'l'.repeat(201)),
    'body/shippingAddress/line1',
  ],
  [
    'line2 ≤ 200',
    withAddress('line2', 'l'.repeat(200)),
    withAddress('line2', 'l'.repeat(201)),
    'body/shippingAddress/line2',
  ],
  [
    'city ≤ 100',
    withAddress('city', 'c'.repeat(100)),
    withAddress('city', 'c'.repeat(101)),
    'body/shippingAddress/city',
  ],
  [
    'postalCode ≤ 32',
    withAddress('postalCode', '7'.repeat(32)),
    withAddress('postalCode', '7'.repeat(33)),
    'body/shippingAddress/postalCode',
  ],
];

describe('POST /orders: the documented validation limits', () => {
  it.each(LIMITS)(
    '%s: accepted at the limit, a 400 one past it',
    async (_limit, at, past, path) => {
      const accepted = await post(body(at));
      expect(accepted).toEqual({ status: 500, paths: [] }); // past validation, into the placement
      const refused = await post(body(past));
      expect(refused.status).toBe(400);
      expect(refused.paths).toContain(path);
    },
  );

  it('refuses a zero quantity as well', async () => {
    const refused = await post(body({ items: [{ sku: 'A', quantity: 0 }] }));
    expect(refused.paths).toContain('body/items/0/quantity');
  });
});
