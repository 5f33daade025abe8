import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { StoredEvent } from '@orderflow/event-store';
import { mayActFor } from '@orderflow/auth';
import {
  clientKey,
  CORRELATION_HEADER,
  HttpProblem,
  notFound,
  principalOf,
  type HttpApp,
} from '@orderflow/service-runtime';
import {
  evolve,
  initialOrderState,
  isFinal,
  orderStreamId,
  type OrderEvent,
  type OrderState,
} from '../domain/index.js';
import type { OrderEventStore } from '../order-commands.js';
import { StreamSlots, type StreamLimits } from './stream-slots.js';

/**
 * HTTP entry point for GET /orders/:id/stream: the order's events as Server-Sent Events, each
 * with `id:` = its stream version, so a client that reconnects with Last-Event-ID gets exactly
 * what it missed. The stream is polled (an index range scan per tick); it ends once the order is
 * final and everything has been sent, since nothing can follow.
 */
export interface StreamOptions {
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly limits: StreamLimits;
}

export interface OrderStreamMessage {
  readonly orderId: string;
  readonly version: number;
  readonly type: OrderEvent['type'];
  /** The order's status after this event. */
  readonly status: Exclude<OrderState['status'], 'NONE'>;
  readonly recordedAt: string;
  readonly event: OrderEvent;
}

const LAST_EVENT_ID = /^[0-9]{1,9}$/;

export function sseFrame(event: StoredEvent<OrderEvent>, after: OrderState): string {
  if (after.status === 'NONE') throw new Error('an event of a placed order folds to NONE');
  const message: OrderStreamMessage = {
    orderId: after.orderId,
    version: event.version,
    type: event.type,
    status: after.status,
    recordedAt: event.recordedAt.toISOString(),
    event: event.data,
  };
  // JSON has no raw newlines, so one data: line carries the whole message.
  return `id: ${event.version}\nevent: ${event.type}\ndata: ${JSON.stringify(message)}\n\n`;
}

export function orderStreamRoute(
  app: HttpApp,
  pool: pg.Pool,
  store: OrderEventStore,
  options: StreamOptions,
): void {
  // Open streams end when the app closes (and are waited for), or close() would wait for them
  // forever; an ended stream's connection is then idle and closed with the server.
  const open = new Map<AbortController, Promise<void>>();
  const slots = new StreamSlots(options.limits);
  app.addHook('preClose', async () => {
    for (const controller of open.keys()) controller.abort();
    await Promise.all(open.values());
  });

  app.get<{ Params: { id: string }; Headers: { 'last-event-id'?: string } }>(
    '/orders/:id/stream',
    {
      schema: {
        tags: ['orders'],
        summary: "Server-Sent Events of the order's changes; resumable with Last-Event-ID",
        description:
          'Each event has id = stream version, event = the order event type, data = {orderId, version, type, status, recordedAt, event}. Without Last-Event-ID the stream starts at version 1. It ends once the order is final.',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const streamId = orderStreamId(id);
      const latest = await store.rebuild(pool, streamId);
      // Another customer's order is "not found" too, so order ids cannot be probed.
      if (
        latest.state.status === 'NONE' ||
        !mayActFor(principalOf(request), latest.state.customerId)
      ) {
        throw notFound(`No order ${id}`);
      }
      const header = request.headers['last-event-id'];
      const from = header === undefined ? 0 : LAST_EVENT_ID.test(header) ? Number(header) : NaN;
      if (!(from >= 0 && from <= latest.version)) {
        throw new HttpProblem({
          status: 400,
          code: 'invalid-last-event-id',
          detail: `Last-Event-ID must be a version between 0 and ${latest.version} of order ${id}`,
        });
      }
      let state =
        from === 0
          ? initialOrderState()
          : (await store.rebuild(pool, streamId, { upTo: from })).state;

      let release: () => void;
      try {
        release = slots.acquire(clientKey(request));
      } catch (error) {
        if (error instanceof HttpProblem) {
          reply.header('retry-after', String(options.limits.retryAfterSeconds));
        }
        throw error;
      }
      const controller = new AbortController();
      let finished = (): void => undefined;
      open.set(
        controller,
        new Promise<void>((resolve) => {
          finished = resolve;
        }),
      );
      const raw = reply.raw;
      // The response closes when the client goes away (or once we end it).
      raw.on('close', () => controller.abort());
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        // One long-lived request per connection: nothing is gained by keeping it after the end.
        connection: 'close',
        'x-accel-buffering': 'no',
        [CORRELATION_HEADER]: request.id,
      });
      raw.write(`retry: ${options.pollIntervalMs * 4}\n\n`);

      let last = from;
      let lastWrite = Date.now();
      try {
        while (!controller.signal.aborted) {
          const events = await store.readStream(pool, streamId, { fromVersion: last + 1 });
          for (const event of events) {
            state = evolve(state, event.data);
            raw.write(sseFrame(event, state));
            last = event.version;
            lastWrite = Date.now();
          }
          if (isFinal(state)) break;
          if (Date.now() - lastWrite >= options.heartbeatMs) {
            raw.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          await sleep(options.pollIntervalMs, undefined, { signal: controller.signal }).catch(
            () => undefined,
          );
        }
      } catch (error) {
        request.log.error({ err: error, orderId: id }, 'order stream failed');
      } finally {
        raw.end();
        release();
        open.delete(controller);
        finished();
      }
    },
  );
}
