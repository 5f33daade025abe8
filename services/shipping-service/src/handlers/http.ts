import type pg from 'pg';
import { notFound, type HttpApp } from '@orderflow/service-runtime';
import { findShipment } from '../store/shipment-store.js';

/**
 * HTTP entry point, for operators (admin role): read an order's shipment. shipping-service does not
 * know an order's customer; customers read the tracking number on order-service.
 */
const nullableString = { type: ['string', 'null'] } as const;

const shipment = {
  type: 'object',
  required: [
    'orderId',
    'status',
    'shipmentId',
    'carrier',
    'trackingNumber',
    'country',
    'lines',
    'scheduledAt',
    'cancelledAt',
  ],
  properties: {
    orderId: { type: 'string' },
    status: {
      type: 'string',
      enum: ['SCHEDULED', 'CANCELLED'],
      description: 'CANCELLED with a null shipmentId: cancelled before anything was booked',
    },
    shipmentId: nullableString,
    carrier: nullableString,
    trackingNumber: { ...nullableString, description: 'S10-style, e.g. OF000000014' },
    country: { ...nullableString, description: 'ISO 3166-1 alpha-2' },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: { sku: { type: 'string' }, quantity: { type: 'integer' } },
      },
    },
    scheduledAt: { ...nullableString, format: 'date-time' },
    cancelledAt: { ...nullableString, format: 'date-time' },
  },
} as const;

const params = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export function shippingRoutes(app: HttpApp, pool: pg.Pool): void {
  app.get<{ Params: { orderId: string } }>(
    '/shipments/:orderId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['shipping'],
        summary: "Admin: the order's shipment (or its cancellation)",
        params,
        response: { 200: shipment },
      },
    },
    async (request) => {
      const found = await findShipment(pool, request.params.orderId);
      if (!found) throw notFound(`No shipment for order ${request.params.orderId}`);
      return {
        ...found,
        scheduledAt: found.scheduledAt?.toISOString() ?? null,
        cancelledAt: found.cancelledAt?.toISOString() ?? null,
      };
    },
  );
}
