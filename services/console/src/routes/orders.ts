import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { HttpProblem, type HttpApp } from '@orderflow/service-runtime';
import { changedSince, remember, seenOf, type OrderSummary } from '../orders-feed.js';
import type { Upstreams } from '../upstream.js';
import { queryOf, relay } from './relay.js';
import { openSse } from './sse.js';

/** HTTP entry point for orders: the list (and its live feed), one order in full, placing one. */
const STATUSES = ['PENDING', 'COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION'];
const FEED_PAGE = 50;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: STATUSES },
    customerId: { type: 'string', minLength: 1, maxLength: 128 },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    cursor: { type: 'string', maxLength: 512 },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export interface OrderRouteOptions {
  readonly pollMs: number;
  /** Aborted when the app closes: live feeds end then. */
  readonly closing: AbortSignal;
}

type ListQuery = { status?: string; customerId?: string; limit?: string; cursor?: string };

export function orderRoutes(app: HttpApp, upstreams: Upstreams, options: OrderRouteOptions): void {
  const publicRoute = { access: 'public' } as const;

  app.get<{ Querystring: ListQuery }>(
    '/api/orders',
    { config: publicRoute, schema: { querystring: listQuery } },
    async (request, reply) =>
      relay(reply, await upstreams.call('order-service', `/orders${queryOf(request.query)}`)),
  );

  app.get<{ Querystring: Omit<ListQuery, 'cursor' | 'limit'> }>(
    '/api/orders/feed',
    {
      config: publicRoute,
      schema: {
        summary: 'The newest orders, then each order that appears or changes (Server-Sent Events)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: listQuery.properties.status,
            customerId: listQuery.properties.customerId,
          },
        },
      },
    },
    async (request, reply) => {
      const path = `/orders${queryOf({ ...request.query, limit: String(FEED_PAGE) })}`;
      // The first page is read before the stream opens, so a bad filter or a down service is
      // an ordinary problem answer rather than a broken stream.
      const first = await upstreams.required<{ items: OrderSummary[] }>('order-service', path);
      const sse = openSse(request, reply, options.closing);
      sse.send('snapshot', { items: first.items });
      let seen = seenOf(first.items);
      while (!sse.signal.aborted) {
        await sleep(options.pollMs, undefined, { signal: sse.signal }).catch(() => undefined);
        if (sse.signal.aborted) break;
        try {
          const page = await upstreams.required<{ items: OrderSummary[] }>('order-service', path);
          for (const order of changedSince(seen, page.items)) sse.send('order', order);
          seen = remember(seen, page.items);
        } catch (error) {
          // The page keeps its list and says the feed is stale until order-service answers again.
          sse.send('unavailable', { detail: (error as Error).message });
        }
      }
      sse.end();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/orders/:id',
    {
      config: publicRoute,
      schema: { summary: 'One order with its saga, payment and shipment', params: idParams },
    },
    async (request, reply) => {
      const id = encodeURIComponent(request.params.id);
      const order = await upstreams.call('order-service', `/orders/${id}`);
      if (order.status !== 200) return relay(reply, order);
      const [saga, payment, shipment] = await Promise.all([
        upstreams.optional('order-saga', `/sagas/${id}`),
        upstreams.optional('payment-service', `/payments/${id}`),
        upstreams.optional('shipping-service', `/shipments/${id}`),
      ]);
      return { order: order.body, saga, payment, shipment };
    },
  );

  app.get<{ Params: { id: string }; Headers: { 'last-event-id'?: string } }>(
    '/api/orders/:id/events',
    {
      config: publicRoute,
      schema: {
        summary: "order-service's Server-Sent Events of one order, passed on",
        params: idParams,
      },
    },
    async (request, reply) => {
      const id = encodeURIComponent(request.params.id);
      const closing = new AbortController();
      const lastEventId = request.headers['last-event-id'];
      const upstream = await upstreams.fetch('order-service', `/orders/${id}/stream`, {
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
        },
        // A stream has no end in sight: only the client leaving or the app closing stop it.
        timeoutMs: 24 * 3600 * 1000,
        signal: closing.signal,
      });
      if (!upstream.ok || upstream.body === null) {
        return relay(reply, {
          status: upstream.status,
          contentType: upstream.headers.get('content-type') ?? '',
          body: await upstream.json().catch(() => ({ detail: `HTTP ${upstream.status}` })),
        });
      }
      const sse = openSse(request, reply, options.closing);
      sse.signal.addEventListener('abort', () => closing.abort(), { once: true });
      // Re-framed rather than piped, so each event is whole when it leaves (and ids survive).
      const parser = createParser({
        onEvent: (event) => sse.send(event.event ?? 'message', JSON.parse(event.data), event.id),
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of upstream.body as AsyncIterable<Uint8Array>)
          parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        if (!sse.signal.aborted) request.log.warn({ err: error }, 'order stream broke off');
      }
      sse.send('end', {});
      sse.end();
      return reply;
    },
  );

  app.get('/api/catalogue', { config: publicRoute }, async (_request, reply) =>
    relay(reply, await upstreams.call('inventory-service', '/inventory')),
  );

  app.post<{ Body: unknown; Headers: { 'idempotency-key'?: string } }>(
    '/api/orders',
    {
      config: publicRoute,
      schema: {
        summary: 'Places an order through order-service (which validates it), traced from here',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
        },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'object' || request.body === null) {
        throw new HttpProblem({
          status: 400,
          code: 'validation-error',
          detail: 'The body must be a JSON object',
        });
      }
      // The console starts the trace, so it can link the new order to it in the trace UI:
      // order-service continues an incoming W3C traceparent, and neither it nor the saga
      // exposes a trace id afterwards.
      const traceId = randomBytes(16).toString('hex');
      const key = request.headers['idempotency-key'];
      const answer = await upstreams.call('order-service', '/orders', {
        method: 'POST',
        body: request.body,
        headers: {
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
          ...(key !== undefined ? { 'idempotency-key': key } : {}),
        },
      });
      if (answer.status === 202 || answer.status === 200) reply.header('x-trace-id', traceId);
      return relay(reply, answer);
    },
  );
}
