import type { ReadableStreamReadResult } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { FINAL_STATUSES, isOrderStreamMessage, type OrderStreamMessage } from './api.js';
import type { OrderServiceClient } from './client.js';
import { CliError } from './errors.js';

/**
 * Follows an order over GET /orders/:id/stream until it is final. A dropped connection (or a
 * stream that ends early, as when the service restarts) is resumed with Last-Event-ID, so no
 * event is missed or shown twice; the whole follow is bounded by `timeoutMs`.
 */
export interface FollowOptions {
  readonly timeoutMs: number;
  readonly onMessage: (message: OrderStreamMessage) => void;
  /** Called before each reconnection, with why the previous connection ended. */
  readonly onReconnect: (why: CliError, lastVersion: number) => void;
  /** Wait before reconnecting until the server sends its own `retry:`. */
  readonly retryMs?: number;
}

/** Returns the message that made the order final. */
export async function followOrder(
  client: OrderServiceClient,
  orderId: string,
  options: FollowOptions,
): Promise<OrderStreamMessage> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let retryMs = options.retryMs ?? 1_000;
  let last: OrderStreamMessage | undefined;
  let lastEventId: string | undefined;
  let connected = false;
  let trouble: CliError | undefined;

  const timedOut = (cause: unknown) =>
    new CliError('FOLLOW_TIMEOUT', timeoutMessage(orderId, options.timeoutMs, last, trouble), {
      cause,
    });

  for (;;) {
    try {
      const body = await client.openStream(orderId, { lastEventId, signal: deadline });
      connected = true;
      trouble = undefined;
      const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(
        new EventSourceParserStream({
          onRetry: (ms) => {
            retryMs = ms;
          },
        }),
      );
      const reader = events.getReader();
      try {
        for (;;) {
          const { done, value } = await read(reader, client.baseUrl);
          if (done) break;
          const message = parseMessage(value);
          if (value.id !== undefined) lastEventId = value.id;
          last = message;
          options.onMessage(message);
          if (FINAL_STATUSES.has(message.status)) return message;
        }
      } finally {
        // Closes the connection when we stop early (final status, bad data).
        await reader.cancel().catch(() => undefined);
      }
      throw new CliError('CONNECTION_LOST', `the stream ended before order ${orderId} was final`);
    } catch (error) {
      if (deadline.aborted) throw timedOut(error);
      // Not being able to connect at all is an answer; losing a connection we had is a hiccup.
      const resumable =
        error instanceof CliError &&
        error.retryable &&
        (connected || error.code !== 'SERVICE_UNREACHABLE');
      if (!resumable) throw error;
      trouble = error;
      options.onReconnect(error, last?.version ?? 0);
    }
    await sleep(retryMs, undefined, { signal: deadline }).catch(() => undefined);
    if (deadline.aborted) throw timedOut(deadline.reason);
  }
}

async function read(
  reader: ReadableStreamDefaultReader<EventSourceMessage>,
  baseUrl: string,
): Promise<ReadableStreamReadResult<EventSourceMessage>> {
  try {
    return await reader.read();
  } catch (error) {
    throw new CliError('CONNECTION_LOST', `the connection to ${baseUrl} was lost`, {
      cause: error,
    });
  }
}

function parseMessage(event: EventSourceMessage): OrderStreamMessage {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = undefined;
  }
  if (!isOrderStreamMessage(data)) {
    throw new CliError(
      'BAD_RESPONSE',
      `the order stream sent an event that is not an order change: ${event.data.slice(0, 120)}`,
    );
  }
  return data;
}

function timeoutMessage(
  orderId: string,
  timeoutMs: number,
  last: OrderStreamMessage | undefined,
  trouble: CliError | undefined,
): string {
  const state = last ? `still ${last.status} (version ${last.version})` : 'not final';
  const why = trouble ? `; last problem: ${trouble.message}` : '';
  return (
    `gave up after ${timeoutMs / 1000} s: order ${orderId} is ${state}${why}. ` +
    `Follow it again with: ./dev order follow ${orderId}`
  );
}
