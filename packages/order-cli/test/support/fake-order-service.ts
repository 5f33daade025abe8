import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderResource, OrderStreamMessage } from '../../src/api.js';

/** A stand-in order-service on a loopback port: records each request, answers as a test says. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeService {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Respond = (request: RecordedRequest, response: ServerResponse) => void;

export async function fakeOrderService(respond: Respond): Promise<FakeService> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<string> {
  const service = await fakeOrderService(() => undefined);
  await service.close();
  return service.url;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
) {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

export function sseHead(res: ServerResponse, retryMs = 20): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.write(`retry: ${retryMs}\n\n`);
}

export function sseFrame(message: OrderStreamMessage): string {
  return `id: ${message.version}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;
}

export const ORDER_ID = '0199a0c4-1111-7000-8000-000000000001';

/** The stream of an order that completes, as order-service sends it. */
export function completedStream(orderId = ORDER_ID): OrderStreamMessage[] {
  const at = (ms: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, 0, ms)).toISOString();
  const step = (
    version: number,
    step: 'RESERVE_INVENTORY' | 'PROCESS_PAYMENT',
    status: 'STARTED' | 'SUCCEEDED',
  ) =>
    ({
      orderId,
      version,
      type: 'StepRecorded',
      status: 'PENDING',
      recordedAt: at(version * 100),
      event: { type: 'StepRecorded', step, status, detail: null },
    }) as const;
  return [
    {
      orderId,
      version: 1,
      type: 'OrderPlaced',
      status: 'PENDING',
      recordedAt: at(0),
      event: {
        type: 'OrderPlaced',
        lines: [{ sku: 'USB-C-CABLE', quantity: 2 }],
        shippingAddress: {
          name: 'Ada',
          line1: '1 Main St',
          city: 'Paris',
          postalCode: '75001',
          country: 'FR',
        },
      },
    },
    step(2, 'RESERVE_INVENTORY', 'STARTED'),
    step(3, 'RESERVE_INVENTORY', 'SUCCEEDED'),
    step(4, 'PROCESS_PAYMENT', 'STARTED'),
    step(5, 'PROCESS_PAYMENT', 'SUCCEEDED'),
    {
      orderId,
      version: 6,
      type: 'OrderCompleted',
      status: 'COMPLETED',
      recordedAt: at(600),
      event: {
        type: 'OrderCompleted',
        totalMinor: 1998,
        currency: 'EUR',
        trackingNumber: 'OF000000042',
      },
    },
  ];
}

export function cancelledStream(orderId = ORDER_ID): OrderStreamMessage[] {
  const [placed] = completedStream(orderId);
  if (!placed) throw new Error('completedStream has no OrderPlaced');
  return [
    placed,
    {
      orderId,
      version: 2,
      type: 'OrderCancelled',
      status: 'CANCELLED',
      recordedAt: '2025-01-31T12:00:01.000Z',
      event: {
        type: 'OrderCancelled',
        reason: 'PAYMENT_DECLINED',
        failedStep: 'PROCESS_PAYMENT',
        detail: 'payment declined (INSUFFICIENT_FUNDS)',
      },
    },
  ];
}

export function orderResource(overrides: Partial<OrderResource> = {}): OrderResource {
  return {
    orderId: ORDER_ID,
    customerId: 'c-1',
    status: 'COMPLETED',
    channel: 'API',
    placedAt: '2025-01-31T12:00:00.000Z',
    lines: [
      { sku: 'USB-C-CABLE', quantity: 2 },
      { sku: 'MOUSE-WIRELESS', quantity: 1 },
    ],
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      line2: null,
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
    pricedLines: [
      { sku: 'USB-C-CABLE', quantity: 2, unitAmountMinor: 999, lineAmountMinor: 1998 },
      { sku: 'MOUSE-WIRELESS', quantity: 1, unitAmountMinor: 2999, lineAmountMinor: 2999 },
    ],
    total: { amountMinor: 4997, currency: 'EUR' },
    trackingNumber: 'OF000000042',
    steps: [
      {
        step: 'RESERVE_INVENTORY',
        status: 'SUCCEEDED',
        at: '2025-01-31T12:00:00.300Z',
        detail: null,
      },
    ],
    cancellation: null,
    parking: null,
    finalAt: '2025-01-31T12:00:01.000Z',
    version: 10,
    ...overrides,
  };
}
