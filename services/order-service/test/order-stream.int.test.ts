import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { eventually } from '@orderflow/testkit';
import type { OrderStreamMessage } from '../src/handlers/order-stream.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  base = await h.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.stop();
});

interface Frame {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: OrderStreamMessage | undefined;
}

function parseFrames(text: string): Frame[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((l) => l.startsWith('data: ')))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const data = field('data');
      return {
        id: field('id'),
        event: field('event'),
        data: data === undefined ? undefined : (JSON.parse(data) as OrderStreamMessage),
      };
    });
}

/** A live SSE client: collects frames as they arrive until told to stop or the server ends. */
function connect(orderId: string, lastEventId?: string) {
  const controller = new AbortController();
  let text = '';
  let ended = false;
  const done = (async () => {
    const response = await fetch(`${base}/orders/${orderId}/stream`, {
      headers: {
        ...h.admin,
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    if (!response.body) throw new Error('no body');
    const body = response.body as AsyncIterable<Uint8Array>;
    try {
      for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
      ended = true;
    } catch {
      // aborted by the test: a client going away
    }
  })();
  return {
    frames: () => parseFrames(text),
    ended: () => ended,
    async waitFor(count: number): Promise<Frame[]> {
      const deadline = Date.now() + 15_000;
      while (parseFrames(text).length < count) {
        if (Date.now() > deadline || ended) {
          throw new Error(`expected ${count} frame(s), got ${parseFrames(text).length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return parseFrames(text);
    },
    async close(): Promise<void> {
      controller.abort();
      await done;
    },
    done,
  };
}

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const step = (orderId: string, i: number, status: string) =>
  h.sagaSends(h.contracts.stepChanged, {
    orderId,
    step: 'RESERVE_INVENTORY',
    status,
    at: T0 + i,
    detail: null,
  });

describe('GET /orders/:id/stream', () => {
  it('streams every change in order and resumes after a reconnect with Last-Event-ID', async () => {
    const { orderId } = await h.placed();
    const first = connect(orderId);
    const [placed] = await first.waitFor(1);
    expect(placed).toMatchObject({
      id: '1',
      event: 'OrderPlaced',
      data: { orderId, version: 1, status: 'PENDING' },
    });
    await step(orderId, 1, 'STARTED');
    const frames = await first.waitFor(2);
    expect(frames[1]).toMatchObject({ id: '2', event: 'StepRecorded' });
    await first.close();

    // Changes while disconnected...
    await step(orderId, 2, 'SUCCEEDED');
    await h.sagaSends(h.contracts.sagaCompleted, {
      orderId,
      amountMinor: 500,
      currency: 'EUR',
      trackingNumber: 'TRK-SSE',
    });
    // ...are exactly what the reconnecting client gets; the stream ends at the final status.
    const second = connect(orderId, '2');
    await second.done;
    expect(second.ended()).toBe(true);
    expect(second.frames().map((f) => [f.id, f.event, f.data?.status])).toEqual([
      ['3', 'StepRecorded', 'PENDING'],
      ['4', 'OrderCompleted', 'COMPLETED'],
    ]);
  });

  it('replays a finished order from the start and ends; nothing after its last version', async () => {
    const { orderId } = await h.placed();
    await h.sagaSends(h.contracts.sagaCancelled, {
      orderId,
      reason: 'PAYMENT_DECLINED',
      failedStep: 'PROCESS_PAYMENT',
      detail: 'declined',
    });
    const all = await finishedStream(orderId);
    expect(all.map((f) => [f.id, f.data?.status])).toEqual([
      ['1', 'PENDING'],
      ['2', 'CANCELLED'],
    ]);
    const none = await h.app.http.inject({
      method: 'GET',
      url: `/orders/${orderId}/stream`,
      headers: { ...h.admin, 'last-event-id': '2' },
    });
    expect(none.statusCode).toBe(200);
    expect(parseFrames(none.body)).toEqual([]);
  });

  it.each(['x', '-1', '99'])('refuses Last-Event-ID %s with a 400 problem', async (id) => {
    const { orderId } = await h.placed();
    const response = await h.app.http.inject({
      method: 'GET',
      url: `/orders/${orderId}/stream`,
      headers: { ...h.admin, 'last-event-id': id },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers an unknown order with a 404 problem', async () => {
    const response = await h.app.http.inject({
      headers: h.admin,
      method: 'GET',
      url: `/orders/${randomUUID()}/stream`,
    });
    expect(response.statusCode).toBe(404);
  });

  // Last: it closes the HTTP side of this file's app.
  it('ends open streams when the app shuts down, so shutdown is not held up', async () => {
    const { orderId } = await h.placed();
    const client = connect(orderId);
    await client.waitFor(1);
    const started = Date.now();
    await h.app.http.close();
    await client.done;
    expect(client.ended()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** Waits for the order to be final; its stream then ends by itself, so inject returns all of it. */
async function finishedStream(orderId: string): Promise<Frame[]> {
  await eventually(`order ${orderId} final`, async () => {
    if ((await h.getOrder(orderId)).status === 'PENDING') throw new Error('still PENDING');
  });
  const response = await h.app.http.inject({
    headers: h.admin,
    method: 'GET',
    url: `/orders/${orderId}/stream`,
  });
  expect(response.statusCode).toBe(200);
  return parseFrames(response.body);
}
