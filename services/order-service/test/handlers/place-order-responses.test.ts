import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpApp } from '@orderflow/service-runtime';
import type { OrderState, PlacedOrder } from '../../src/domain/index.js';
import { orderResource } from '../../src/handlers/order-resource.js';
import { PLACE_ORDER_RESPONSES } from '../../src/handlers/place-order-responses.js';
import { placeOrderRoute, type PlaceOrderDeps } from '../../src/handlers/place-order.js';
import { cancel, complete, given, park, placeOrder, step } from '../domain/fixtures.js';
import { orderHttpApp } from './http-fixture.js';

/**
 * POST /orders as its OpenAPI document and its serializer see it: the route's real schemas on a
 * real fastify app, with no database (requests that pass validation are not sent here).
 */
let app: HttpApp;
/** What POST /answer sends next. */
let answer: { status: 200 | 202; order: PlacedOrder } | undefined;

let admin: { authorization: string };
beforeAll(async () => {
  ({ app, admin } = await orderHttpApp());
  // Only admission is reached by a request the schema refuses; the rest stays untouched.
  const deps = { admission: { check: () => Promise.resolve(undefined) } };
  placeOrderRoute(app, deps as unknown as PlaceOrderDeps);
  // The same response schemas on a route that answers with a given order, to see what
  // fastify's serializer keeps of each field.
  app.post(
    '/answer',
    { config: { access: 'public' }, schema: { response: PLACE_ORDER_RESPONSES } },
    (_request, reply) => {
      if (!answer) throw new Error('no answer set');
      return reply.status(answer.status).send(orderResource(answer.order));
    },
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
        >;
      }
    >
  >;
}

const placed = (state: OrderState): PlacedOrder => {
  if (state.status === 'NONE') throw new Error('no order');
  return state;
};

describe('the OpenAPI document served at /docs/json', () => {
  it('declares 202 and 200 with the order, and each problem answer of POST /orders', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const responses = response.json<OpenApi>().paths['/orders']?.post?.responses ?? {};
    expect(Object.keys(responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '413',
      '415',
      '422',
      '500',
      '503',
    ]);

    expect(responses['202']).toMatchObject({
      headers: { location: { schema: { type: 'string' } } },
      content: { 'application/json': { schema: { type: 'object' } } },
    });
    // Every field the handler sends is declared, so the document shows all of them.
    const order = responses['202']?.content?.['application/json']?.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(order.properties).sort()).toEqual(
      Object.keys(orderResource(placed(given(placeOrder())))).sort(),
    );
    expect(responses['200']).toMatchObject({
      headers: { 'idempotent-replayed': { schema: { enum: ['true'] } } },
      content: { 'application/json': { schema: { type: 'object' } } },
    });

    for (const status of ['400', '413', '415', '422', '500', '503']) {
      expect({ status, answer: responses[status] }).toMatchObject({
        status,
        answer: {
          content: {
            'application/problem+json': {
              schema: { required: ['type', 'title', 'status', 'detail', 'instance'] },
            },
          },
        },
      });
    }
  });
});

describe('what the declared schemas let through', () => {
  it.each([
    ['a new order (nulls where nothing is known yet)', 202, given(placeOrder())],
    [
      'a completed order (priced lines, total, tracking, step log)',
      200,
      given(placeOrder(), step('STARTED'), step('SUCCEEDED'), complete),
    ],
    ['a cancelled order', 200, given(placeOrder(), cancel)],
    ['a parked order', 200, given(placeOrder(), park)],
  ] as const)('keeps every field of %s', async (_case, status, state) => {
    answer = { status, order: placed(state) };
    const response = await app.inject({ headers: admin, method: 'POST', url: '/answer' });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual(orderResource(placed(state)));
  });

  it('keeps the field paths of a 400 from the real route', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...admin, 'x-correlation-id': 'corr-400' },
      payload: { customerId: '', items: [{ sku: 'usb', quantity: 0 }], extra: 1 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<{ errors: { path: string; property?: string }[] }>();
    expect(body).toMatchObject({
      type: 'urn:orderflow:problem:validation-error',
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is invalid',
      instance: '/orders',
      correlationId: 'corr-400',
    });
    expect(body.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'body',
        'body/customerId',
        'body/items/0/sku',
        'body/items/0/quantity',
      ]),
    );
    expect(body.errors).toContainEqual(expect.objectContaining({ property: 'extra' }));
  });

  it('answers a body that is not JSON with its 415 problem', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...admin, 'content-type': 'text/plain', 'x-correlation-id': 'corr-415' },
      payload: 'customerId=c-1',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({
      title: 'Unsupported Media Type',
      status: 415,
      instance: '/orders',
      correlationId: 'corr-415',
    });
  });
});
