import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER } from '@orderflow/service-runtime';

/**
 * A Server-Sent Events answer the route writes to until it returns or the client leaves; the
 * returned signal aborts on either, and on the app closing (streams would hold close() forever).
 */
export interface SseStream {
  readonly signal: AbortSignal;
  send(event: string, data: unknown, id?: string): void;
  comment(text: string): void;
  end(): void;
}

export function openSse(
  request: FastifyRequest,
  reply: FastifyReply,
  closing: AbortSignal,
): SseStream {
  const controller = new AbortController();
  const raw = reply.raw;
  raw.on('close', () => controller.abort());
  closing.addEventListener('abort', () => controller.abort(), { once: true });
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'close',
    'x-accel-buffering': 'no',
    [CORRELATION_HEADER]: request.id,
  });
  return {
    signal: controller.signal,
    // JSON has no raw newlines, so one data: line carries the whole message.
    send: (event, data, id) => {
      if (raw.writableEnded) return;
      raw.write(
        `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    },
    comment: (text) => {
      if (!raw.writableEnded) raw.write(`: ${text}\n\n`);
    },
    end: () => {
      if (!raw.writableEnded) raw.end();
    },
  };
}
