import type { HttpApp } from '@orderflow/service-runtime';
import type { OrderSummary } from '../orders-feed.js';
import type { Upstreams } from '../upstream.js';
import { relay } from './relay.js';

/**
 * HTTP entry point for parked sagas: the orders order-service holds as FAILED_NEEDS_ATTENTION,
 * each with its saga's failure and parking reason; an operator's resume goes to order-saga.
 */
interface SagaView {
  readonly status: string;
  readonly failure: unknown;
  readonly steps: Record<string, string>;
  readonly log: readonly { step: string; status: string; at: string; detail: string | null }[];
  readonly updatedAt: string;
}

interface OrderView {
  readonly parking: { step: string | null; reason: string } | null;
  readonly cancellation: unknown;
}

const PARKED_PAGE = 100;

export function attentionRoutes(app: HttpApp, upstreams: Upstreams): void {
  app.get('/api/attention', { config: { access: 'public' } }, async () => {
    const { items } = await upstreams.required<{ items: OrderSummary[] }>(
      'order-service',
      `/orders?status=FAILED_NEEDS_ATTENTION&limit=${PARKED_PAGE}`,
    );
    const parked = await Promise.all(
      items.map(async (summary) => {
        const id = encodeURIComponent(summary.orderId);
        const [order, saga] = await Promise.all([
          upstreams.optional<OrderView>('order-service', `/orders/${id}`),
          upstreams.optional<SagaView>('order-saga', `/sagas/${id}`),
        ]);
        return { ...summary, parking: order?.parking ?? null, saga };
      }),
    );
    return { items: parked };
  });

  app.post<{ Params: { orderId: string } }>(
    '/api/sagas/:orderId/resume',
    {
      config: { access: 'public' },
      schema: {
        summary: "Resumes a parked saga (order-saga's admin resume)",
        params: {
          type: 'object',
          required: ['orderId'],
          properties: { orderId: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    },
    async (request, reply) => {
      const id = encodeURIComponent(request.params.orderId);
      const answer = await upstreams.call('order-saga', `/sagas/${id}/resume`, { method: 'POST' });
      request.log.info(
        { orderId: request.params.orderId, status: answer.status },
        'saga resume asked',
      );
      return relay(reply, answer);
    },
  );
}
