import type pg from 'pg';
import { notFound, type HttpApp } from '@orderflow/service-runtime';
import { paymentView } from '../domain/payment.js';
import { loadState } from '../store/payment-store.js';

/**
 * HTTP entry point, for operators (admin role): what payment-service recorded for one order
 * (charge and refund). A customer sees their order's total and status on order-service.
 */
const payment = {
  type: ['object', 'null'],
  required: [
    'paymentId',
    'customerId',
    'status',
    'amountMinor',
    'currency',
    'gatewayRef',
    'declineReason',
  ],
  properties: {
    paymentId: { type: 'string' },
    customerId: { type: ['string', 'null'], description: 'Null for a capture found by a void' },
    status: { type: 'string', enum: ['CAPTURED', 'DECLINED'] },
    amountMinor: { type: 'integer', description: 'In minor units of currency' },
    currency: { type: 'string', description: 'ISO 4217 code' },
    gatewayRef: { type: ['string', 'null'], description: "The gateway's charge reference" },
    declineReason: { type: ['string', 'null'] },
  },
} as const;

const refund = {
  type: ['object', 'null'],
  required: ['paymentId', 'amountMinor', 'currency', 'gatewayRef'],
  properties: {
    paymentId: {
      type: ['string', 'null'],
      description: 'The refunded capture; null when nothing had been captured (amount 0)',
    },
    amountMinor: { type: 'integer' },
    currency: { type: 'string' },
    gatewayRef: { type: ['string', 'null'] },
  },
} as const;

const view = {
  type: 'object',
  required: ['orderId', 'status', 'payment', 'refund'],
  properties: {
    orderId: { type: 'string' },
    status: {
      type: 'string',
      enum: ['CAPTURED', 'DECLINED', 'REFUNDED', 'NOT_CHARGED'],
      description: 'NOT_CHARGED: refunded before any charge, so the order can no longer be charged',
    },
    payment,
    refund,
  },
} as const;

export function paymentRoutes(app: HttpApp, pool: pg.Pool): void {
  app.get<{ Params: { orderId: string } }>(
    '/payments/:orderId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['payments'],
        summary: "Admin: one order's payment and refund",
        params: {
          type: 'object',
          required: ['orderId'],
          properties: { orderId: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: { 200: view },
      },
    },
    async (request) => {
      const found = paymentView(await loadState(pool, request.params.orderId));
      if (!found) throw notFound(`No payment for order ${request.params.orderId}`);
      return found;
    },
  );
}
