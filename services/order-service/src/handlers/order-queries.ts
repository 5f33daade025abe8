import type pg from 'pg';
import { isAdmin, mayActFor, type Principal } from '@orderflow/auth';
import { HttpProblem, notFound, principalOf, type HttpApp } from '@orderflow/service-runtime';
import {
  FINAL_STATUSES,
  orderStreamId,
  type OrderStatus,
  type PlacedOrder,
} from '../domain/index.js';
import type { OrderEventStore } from '../order-commands.js';
import { listOrders, type ListQuery } from '../store/orders-store.js';
import { historyEntry, orderResource } from './order-resource.js';

/**
 * HTTP entry point for reading orders: one order (or as of a version), its history, the list. A
 * customer token sees its own orders only (another customer's order is a 404, so ids cannot be
 * probed, and the list is filtered to its subject); an admin token sees every order.
 */
const STATUSES: readonly OrderStatus[] = ['PENDING', ...FINAL_STATUSES];
export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

// Query strings are strings (the shared ajv does not coerce), so numbers are checked by pattern.
const versionPattern = '^[0-9]{1,9}$';

function badRequest(code: string, detail: string): HttpProblem {
  return new HttpProblem({ status: 400, code, detail });
}

export interface Cursor {
  readonly createdAt: string;
  readonly orderId: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.orderId])).toString('base64url');
}

export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [createdAt, orderId] = parsed as unknown[];
    if (typeof createdAt !== 'string' || typeof orderId !== 'string') return undefined;
    if (Number.isNaN(Date.parse(createdAt))) return undefined;
    return { createdAt, orderId };
  } catch {
    return undefined;
  }
}

/** Whose orders a list shows: an admin's choice, or the customer's own (asking for another's is 403). */
function listedCustomer(principal: Principal, asked: string | undefined): string | undefined {
  if (isAdmin(principal)) return asked;
  if (asked !== undefined && asked !== principal.sub) {
    throw new HttpProblem({
      status: 403,
      code: 'forbidden',
      detail: 'A customer token lists its own orders only: leave customerId out, or give your own',
    });
  }
  return principal.sub;
}

export function orderQueryRoutes(app: HttpApp, pool: pg.Pool, store: OrderEventStore): void {
  async function current(id: string, principal: Principal): Promise<PlacedOrder> {
    const { state } = await store.rebuild(pool, orderStreamId(id));
    if (state.status === 'NONE' || !mayActFor(principal, state.customerId)) {
      throw notFound(`No order ${id}`);
    }
    return state;
  }

  app.get<{ Params: { id: string }; Querystring: { asOf?: string } }>(
    '/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order: status, lines, priced total, saga step log, cancellation reason',
        description: 'With ?asOf=<version>, the order as it was after that many events.',
        params,
        querystring: {
          type: 'object',
          properties: { asOf: { type: 'string', pattern: versionPattern } },
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const order = await current(id, principalOf(request));
      const { asOf } = request.query;
      if (asOf === undefined) return orderResource(order);
      const version = Number(asOf);
      if (version < 1 || version > order.version) {
        throw badRequest(
          'invalid-version',
          `asOf must be a version between 1 and ${order.version} for order ${id}`,
        );
      }
      const { state } = await store.rebuild(pool, orderStreamId(id), { upTo: version });
      if (state.status === 'NONE') throw notFound(`No order ${id}`);
      return orderResource(state);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/orders/:id/history',
    { schema: { tags: ['orders'], summary: "The order's event stream, oldest first", params } },
    async (request) => {
      const { id } = request.params;
      const events = await store.readStream(pool, orderStreamId(id));
      const placed = events[0]?.data;
      if (placed?.type !== 'OrderPlaced' || !mayActFor(principalOf(request), placed.customerId)) {
        throw notFound(`No order ${id}`);
      }
      return {
        orderId: id,
        version: events.at(-1)?.version ?? 0,
        events: events.map(historyEntry),
      };
    },
  );

  app.get<{
    Querystring: { status?: OrderStatus; customerId?: string; limit?: string; cursor?: string };
  }>(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary:
          'Orders, newest first; filter by status and customer (a customer token: its own only); cursor pagination',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: STATUSES },
            customerId: { type: 'string', minLength: 1, maxLength: 128 },
            limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: `1..${MAX_PAGE}` },
            cursor: { type: 'string', maxLength: 512 },
          },
        },
      },
    },
    async (request) => {
      const { status, cursor } = request.query;
      const customerId = listedCustomer(principalOf(request), request.query.customerId);
      const limit = request.query.limit === undefined ? DEFAULT_PAGE : Number(request.query.limit);
      if (limit < 1 || limit > MAX_PAGE) {
        throw badRequest('invalid-limit', `limit must be between 1 and ${MAX_PAGE}`);
      }
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && after === undefined) {
        throw badRequest('invalid-cursor', 'cursor is not one this API returned');
      }
      const query: ListQuery = {
        limit: limit + 1,
        ...(status ? { status } : {}),
        ...(customerId ? { customerId } : {}),
        ...(after ? { after } : {}),
      };
      const rows = await listOrders(pool, query);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({ createdAt: last.createdAt, orderId: last.orderId })
            : null,
      };
    },
  );
}
