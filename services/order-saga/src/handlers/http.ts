import type pg from 'pg';
import { withTransaction, type Publisher } from '@orderflow/messaging';
import { HttpProblem, notFound, type HttpApp } from '@orderflow/service-runtime';
import { decide, STEPS, type SagaState } from '../domain/index.js';
import type { SagaContracts } from '../contracts.js';
import { recordDecision } from '../store/record-decision.js';
import { findSaga, SagaConflictError } from '../store/saga-store.js';

/**
 * HTTP entry point, for operators (admin role) only: a saga's status, step log and failure, and
 * resuming a parked saga. Customers follow their order on order-service, which carries the step log.
 */
const iso = (ms: number) => new Date(ms).toISOString();
const nullableString = { type: ['string', 'null'] } as const;

function sagaView(state: SagaState) {
  return {
    orderId: state.orderId,
    status: state.status,
    version: state.version,
    steps: state.steps,
    log: state.log.map((e) => ({ ...e, at: iso(e.at) })),
    failure: state.failure,
    deadline: state.deadline && { ...state.deadline, dueAt: iso(state.deadline.dueAt) },
    startedAt: iso(state.startedAt),
    updatedAt: iso(state.updatedAt),
  };
}

const saga = {
  type: 'object',
  required: ['orderId', 'status', 'version', 'steps', 'log', 'failure', 'deadline'],
  properties: {
    orderId: { type: 'string' },
    status: {
      type: 'string',
      enum: ['RUNNING', 'COMPENSATING', 'COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION'],
    },
    version: { type: 'integer' },
    steps: {
      type: 'object',
      properties: Object.fromEntries(STEPS.map((s) => [s, { type: 'string' }])),
    },
    log: {
      type: 'array',
      items: {
        type: 'object',
        required: ['step', 'status', 'at', 'detail'],
        properties: {
          step: { type: 'string' },
          status: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          detail: nullableString,
        },
      },
    },
    failure: {
      type: ['object', 'null'],
      properties: {
        step: { type: 'string' },
        reason: { type: 'string' },
        detail: { type: 'string' },
      },
    },
    deadline: {
      type: ['object', 'null'],
      properties: {
        kind: { type: 'string' },
        step: { type: 'string' },
        attempt: { type: 'integer' },
        dueAt: { type: 'string', format: 'date-time' },
      },
    },
    startedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const params = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export interface SagaRouteDeps {
  readonly pool: pg.Pool;
  readonly publisher: Publisher;
  readonly contracts: SagaContracts;
  readonly now: () => number;
}

export function sagaRoutes(app: HttpApp, deps: SagaRouteDeps): void {
  app.get<{ Params: { orderId: string } }>(
    '/sagas/:orderId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['sagas'],
        summary: "Admin: one order's saga: status, step log and failure",
        params,
        response: { 200: saga },
      },
    },
    async (request) => {
      const found = await findSaga(deps.pool, request.params.orderId);
      if (!found) throw notFound(`No saga for order ${request.params.orderId}`);
      return sagaView(found.state);
    },
  );

  app.post<{ Params: { orderId: string } }>(
    '/sagas/:orderId/resume',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['sagas'],
        summary: 'Admin: re-send the stuck compensation of a parked saga with a fresh budget',
        params,
        response: { 202: saga },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      try {
        const state = await withTransaction(deps.pool, async (client) => {
          const found = await findSaga(client, orderId);
          if (!found) throw notFound(`No saga for order ${orderId}`);
          const decision = decide(found.state, { type: 'ResumeCompensation' }, deps.now());
          if (decision.ignored !== null) {
            throw new HttpProblem({
              status: 409,
              code: 'saga-not-parked',
              detail: `Saga ${orderId} is ${found.state.status}; only a FAILED_NEEDS_ATTENTION saga can be resumed`,
            });
          }
          const publish = (message: Parameters<Publisher['publish']>[1]) =>
            deps.publisher.publish(client, {
              ...message,
              correlationId: found.correlationId ?? undefined,
            });
          await recordDecision(client, publish, deps.contracts, found.state, decision);
          return decision.state;
        });
        request.log.info({ orderId }, 'parked saga resumed by operator');
        return reply.status(202).send(sagaView(state));
      } catch (error) {
        if (error instanceof SagaConflictError) {
          throw new HttpProblem({
            status: 409,
            code: 'concurrent-update',
            detail: `Saga ${orderId} changed while resuming; read it again and retry`,
            cause: error,
          });
        }
        throw error;
      }
    },
  );
}
