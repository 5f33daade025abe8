import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { MessagePayload } from '@orderflow/contracts';
import { withTransaction, type Messaging, type OutboxRow } from '@orderflow/messaging';
import { mayActFor } from '@orderflow/auth';
import {
  HttpProblem,
  principalOf,
  PROBLEM_CONTENT_TYPE,
  toProblem,
  type HttpApp,
} from '@orderflow/service-runtime';
import type { Refusal } from '../admission-control.js';
import {
  OrderDomainError,
  orderStreamId,
  type PlaceOrder,
  type PlacedOrder,
} from '../domain/index.js';
import type { OrderContracts } from '../contracts.js';
import { executeOrderCommand, type OrderEventStore } from '../order-commands.js';
import { claimIdempotencyKey } from '../store/orders-store.js';
import { orderResource } from './order-resource.js';
import { checkedOrderBody, COUNTRY_CODES } from './place-order-input.js';
import { PLACE_ORDER_RESPONSES, problemDetails } from './place-order-responses.js';

/**
 * HTTP entry point for POST /orders: the caller's token (service-runtime), admission control
 * (503 while the platform is past capacity) → a schema-checked body (never prices), placed for
 * the token's own customer unless it is an admin's, then trimmed and checked for invisible or
 * control characters (place-order-input.ts) → PlaceOrder → one transaction holding the
 * Idempotency-Key, the new event stream, the read-model row and the OrderPlaced outbox row
 * carrying the request's correlation id.
 */
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export const placeOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'items', 'payment', 'shippingAddress'],
  properties: {
    customerId: text(128),
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{0,63}$' },
          quantity: { type: 'integer', minimum: 1, maximum: 10_000 },
        },
      },
    },
    payment: {
      type: 'object',
      additionalProperties: false,
      required: ['token'],
      properties: { token: text(256) },
    },
    shippingAddress: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'line1', 'city', 'postalCode', 'country'],
      properties: {
        name: text(200),
        line1: text(200),
        line2: { type: 'string', maxLength: 200 },
        city: text(100),
        postalCode: text(32),
        country: {
          type: 'string',
          enum: COUNTRY_CODES,
          description: 'ISO 3166-1 alpha-2, in capitals',
        },
      },
    },
  },
} as const;

export interface PlaceOrderBody {
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly payment: { readonly token: string };
  readonly shippingAddress: {
    readonly name: string;
    readonly line1: string;
    readonly line2?: string;
    readonly city: string;
    readonly postalCode: string;
    readonly country: string;
  };
}

export interface PlaceOrderDeps {
  /** Admission control (src/admission-control.ts): undefined lets the order in. */
  readonly admission: { check(): Promise<Refusal | undefined> };
  readonly pool: pg.Pool;
  readonly messaging: Messaging;
  readonly store: OrderEventStore;
  readonly contracts: OrderContracts;
  readonly now: () => Date;
  readonly newId: () => string;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The body with its keys sorted, hashed: the same JSON written in another key order is the same request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function placeOrderCommand(orderId: string, body: PlaceOrderBody): PlaceOrder {
  const { shippingAddress: address } = body;
  return {
    type: 'PlaceOrder',
    orderId,
    customerId: body.customerId,
    lines: body.items.map(({ sku, quantity }) => ({ sku, quantity })),
    shippingAddress: {
      name: address.name,
      line1: address.line1,
      line2: address.line2 ?? null,
      city: address.city,
      postalCode: address.postalCode,
      country: address.country,
    },
    // Every order over this HTTP API is an API order; WEB/MOBILE front ends would say so themselves.
    channel: 'API',
  };
}

/** A new order, or the Idempotency-Key's record when the key was used before. */
type Outcome =
  | { readonly kind: 'placed'; readonly order: PlacedOrder; readonly row: OutboxRow }
  | { readonly kind: 'seen'; readonly orderId: string; readonly sameBody: boolean };

export function placeOrderRoute(app: HttpApp, deps: PlaceOrderDeps): void {
  async function place(
    body: PlaceOrderBody,
    key: string | undefined,
    correlationId: string,
  ): Promise<Outcome> {
    const orderId = deps.newId();
    const command = placeOrderCommand(orderId, body);
    try {
      const outcome = await withTransaction(deps.pool, async (client): Promise<Outcome> => {
        if (key !== undefined) {
          const hash = requestHash(body);
          const first = await claimIdempotencyKey(client, key, { requestHash: hash, orderId });
          if (first)
            return { kind: 'seen', orderId: first.orderId, sameBody: first.requestHash === hash };
        }
        const { order } = await executeOrderCommand(
          client,
          deps.store,
          orderId,
          command,
          deps.now(),
          { correlationId, command: command.type },
        );
        const { row } = await deps.messaging.publisher.insert(
          client,
          {
            contract: deps.contracts.placed,
            key: orderId,
            correlationId,
            payload: {
              orderId,
              customerId: order.customerId,
              lines: order.lines,
              shippingAddress: order.shippingAddress,
              channel: order.channel,
              // Travels to payment through the saga; not part of the order's own state or API.
              paymentToken: body.payment.token,
            } satisfies MessagePayload<'orders.OrderPlaced'>,
          },
          deps.messaging.relay.writer,
        );
        return { kind: 'placed', order, row };
      });
      // Committed: this process's relay sends it at once, with no NOTIFY round trip.
      if (outcome.kind === 'placed') deps.messaging.relay.handOff([outcome.row]);
      return outcome;
    } catch (error) {
      if (error instanceof OrderDomainError) {
        throw new HttpProblem({
          status: error.httpStatus,
          code: error.code.toLowerCase().replaceAll('_', '-'),
          detail: error.message,
          cause: error,
        });
      }
      throw error;
    }
  }

  async function existing(orderId: string): Promise<PlacedOrder> {
    const { state } = await deps.store.rebuild(deps.pool, orderStreamId(orderId));
    if (state.status === 'NONE')
      throw new Error(`idempotency key points at missing order ${orderId}`);
    return state;
  }

  app.post<{ Body: PlaceOrderBody; Headers: { [IDEMPOTENCY_HEADER]?: string } }>(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Place an order; the saga then reserves, charges and ships it',
        description:
          "Answers 202 with Location. With an Idempotency-Key, the same key and body answer with the same order (200), the same key with another body with 422. A customer token places orders for its own customerId (the token's sub) only; another customerId is 403.",
        headers: {
          type: 'object',
          properties: { [IDEMPOTENCY_HEADER]: { type: 'string', minLength: 1, maxLength: 255 } },
        },
        body: placeOrderBody,
        response: {
          ...PLACE_ORDER_RESPONSES,
          503: {
            description:
              'The platform is past capacity (too many orders in flight, or its backlog too old to meet the saga deadlines): nothing was placed; retry after Retry-After seconds.',
            headers: {
              'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' },
            },
            content: {
              [PROBLEM_CONTENT_TYPE]: {
                schema: {
                  ...problemDetails,
                  properties: {
                    ...problemDetails.properties,
                    retryAfterSeconds: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
      // Before the body is read or parsed: while refusing, an order costs a cached comparison.
      onRequest: async (request, reply) => {
        const refusal = await deps.admission.check();
        if (refusal === undefined) return;
        const seconds = refusal.retryAfterSeconds;
        // Rendered by the error handler's own toProblem, but sent here rather than thrown: the
        // handler logs every 5xx as a failed request with its stack, one line per refused order
        // when the service is overloaded; AdmissionControl logs refusals at most once a second.
        const problem = toProblem(
          new HttpProblem({
            status: 503,
            code: 'over-capacity',
            detail: `Orders are refused while the platform is past capacity; retry after ${seconds} s`,
            extensions: { retryAfterSeconds: seconds },
          }),
          request,
        );
        return reply
          .status(503)
          .header('retry-after', String(seconds))
          .type(PROBLEM_CONTENT_TYPE)
          .send(problem);
      },
    },
    async (request, reply) => {
      if (!mayActFor(principalOf(request), request.body.customerId)) {
        throw new HttpProblem({
          status: 403,
          code: 'forbidden',
          detail: "A customer token places orders for its own customerId only (the token's sub)",
        });
      }
      const body = checkedOrderBody(request.body);
      const key = request.headers[IDEMPOTENCY_HEADER];
      const outcome = await place(body, key, request.id);
      if (outcome.kind === 'placed') {
        return reply
          .status(202)
          .header('location', `/orders/${outcome.order.orderId}`)
          .send(orderResource(outcome.order));
      }
      if (!outcome.sameBody) {
        throw new HttpProblem({
          status: 422,
          code: 'idempotency-key-reused',
          detail: `Idempotency-Key ${key} was already used with a different request body`,
        });
      }
      // A retry of a request that succeeded: the same order, not a second one.
      return reply
        .status(200)
        .header('location', `/orders/${outcome.orderId}`)
        .header('idempotent-replayed', 'true')
        .send(orderResource(await existing(outcome.orderId)));
    },
  );
}
