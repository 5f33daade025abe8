import type pg from 'pg';
import { notFound, type HttpApp } from '@orderflow/service-runtime';
import { findItem, listItems, updateItem, type ItemUpdate } from '../store/inventory-store.js';

/**
 * HTTP entry point: read the catalogue and stock (any customer or admin token); the admin role
 * sets a SKU's price or available stock.
 */
const SKU = { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{0,63}$' } as const;

const item = {
  type: 'object',
  required: ['sku', 'name', 'priceMinor', 'currency', 'available', 'reserved', 'committed'],
  properties: {
    sku: SKU,
    name: { type: 'string' },
    priceMinor: { type: 'integer', description: 'Unit price in minor units of currency' },
    currency: { type: 'string', description: 'ISO 4217 code' },
    available: { type: 'integer' },
    reserved: { type: 'integer' },
    committed: { type: 'integer' },
  },
} as const;

const params = { type: 'object', required: ['sku'], properties: { sku: SKU } } as const;

export function inventoryRoutes(app: HttpApp, pool: pg.Pool): void {
  app.get(
    '/inventory',
    {
      schema: {
        tags: ['inventory'],
        summary: 'The catalogue with stock per SKU',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: item } },
          },
        },
      },
    },
    async () => ({ items: await listItems(pool) }),
  );

  app.get<{ Params: { sku: string } }>(
    '/inventory/:sku',
    { schema: { tags: ['inventory'], summary: 'One SKU', params, response: { 200: item } } },
    async (request) => {
      const found = await findItem(pool, request.params.sku);
      if (!found) throw notFound(`No SKU ${request.params.sku}`);
      return found;
    },
  );

  app.put<{ Params: { sku: string }; Body: ItemUpdate }>(
    '/inventory/:sku',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['inventory'],
        summary: "Admin: set a SKU's unit price and/or available stock",
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            priceMinor: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            available: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
          },
        },
        response: { 200: item },
      },
    },
    async (request) => {
      const updated = await updateItem(pool, request.params.sku, request.body);
      if (!updated) throw notFound(`No SKU ${request.params.sku}`);
      request.log.info({ sku: updated.sku, change: request.body }, 'catalogue item updated');
      return updated;
    },
  );
}
