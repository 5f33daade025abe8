import type { ServiceName } from '@orderflow/contracts';
import { loadStackConfig, serviceUrl } from '@orderflow/infra';
import { bearer, eventually, stackAuth, type TestAuth } from '@orderflow/testkit';

/** A thin HTTP client over the running platform, for end-to-end tests. */
// The launcher's view of where the services listen (SERVICE_PORT_OFFSET moves a second stack's).
const stack = loadStackConfig();

/** `instance` picks one of a service's instances (`./dev stack up --instances N`), 1-based. */
export function url(service: ServiceName, path: string, instance = 1): string {
  return `${serviceUrl(stack, service, instance)}${path}`;
}

let tokens: Promise<TestAuth> | undefined;
/** Tokens signed with the stack's development key (the one its services trust). */
export function stackTokens(): Promise<TestAuth> {
  tokens ??= stackAuth(stack.stackDir);
  return tokens;
}

let adminHeader: Promise<{ authorization: string }> | undefined;
/** An admin's Authorization header: these helpers send it unless a test gives its own. */
export function asAdmin(): Promise<{ authorization: string }> {
  adminHeader ??= stackTokens().then(async (auth) => bearer(await auth.admin('e2e-admin')));
  return adminHeader;
}

export async function getJson<T>(
  service: ServiceName,
  path: string,
  instance = 1,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url(service, path, instance), { headers: await asAdmin() });
  return { status: res.status, body: (await res.json()) as T };
}

export interface OrderRequest {
  customerId: string;
  items: { sku: string; quantity: number }[];
  payment: { token: string };
  shippingAddress: {
    name: string;
    line1: string;
    city: string;
    postalCode: string;
    country: string;
  };
}

export function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    customerId: 'c-e2e',
    items: [{ sku: 'USB-C-CABLE', quantity: 2 }],
    payment: { token: 'tok_approve' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Main St',
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
    ...overrides,
  };
}

export async function placeOrder(
  body: unknown,
  headers: Record<string, string> = {},
  instance = 1,
): Promise<{ status: number; location: string | null; body: { orderId: string } }> {
  const res = await fetch(url('order-service', '/orders', instance), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await asAdmin()), ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: (await res.json()) as { orderId: string },
  };
}

export interface OrderView {
  orderId: string;
  status: string;
  pricedLines:
    { sku: string; quantity: number; unitAmountMinor: number; lineAmountMinor: number }[] | null;
  total: { amountMinor: number; currency: string } | null;
  trackingNumber: string | null;
  steps: { step: string; status: string }[];
  cancellation: { reason: string } | null;
}

/** Waits until the order reaches a terminal status and returns it. */
export async function settled(orderId: string): Promise<OrderView> {
  return eventually(
    `order ${orderId} to finish`,
    async () => {
      const { body } = await getJson<OrderView>('order-service', `/orders/${orderId}`);
      if (
        body.status !== 'COMPLETED' &&
        body.status !== 'CANCELLED' &&
        body.status !== 'FAILED_NEEDS_ATTENTION'
      ) {
        throw new Error(`status ${body.status}`);
      }
      return body;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

export interface Stock {
  available: number;
  reserved: number;
  committed: number;
}

export async function stock(sku: string): Promise<Stock> {
  const { body } = await getJson<Stock>('inventory-service', `/inventory/${sku}`);
  return { available: body.available, reserved: body.reserved, committed: body.committed };
}

/** One Server-Sent Event of GET /orders/:id/stream. */
export interface OrderStreamFrame {
  readonly id: string;
  readonly event: string;
  readonly data: {
    readonly orderId: string;
    readonly version: number;
    readonly type: string;
    /** The order's status after this event. */
    readonly status: string;
    readonly recordedAt: string;
    readonly event: Record<string, unknown>;
  };
}

export interface OrderStreamClient {
  /** Frames received so far, in arrival order. */
  frames(): readonly OrderStreamFrame[];
  /** True once the server ended the stream (it does when the order is final). */
  ended(): boolean;
  /** Waits for the first frame matching `predicate`; fails naming `what` and what arrived. */
  waitFor(
    what: string,
    predicate: (frame: OrderStreamFrame) => boolean,
    timeoutMs?: number,
  ): Promise<OrderStreamFrame>;
  /** Waits until the server ends the stream. */
  waitForEnd(timeoutMs?: number): Promise<readonly OrderStreamFrame[]>;
  /** Drops the connection, as a client going away does. */
  close(): Promise<void>;
}

/** Parses complete SSE blocks (text up to a blank line) per the WHATWG event-stream format. */
function parseSseBlock(block: string): OrderStreamFrame | undefined {
  const fields = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue; // a comment, e.g. a keep-alive
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields.set(
      name,
      name === 'data' && fields.has('data') ? `${fields.get('data')}\n${value}` : value,
    );
  }
  const data = fields.get('data');
  if (data === undefined) return undefined; // e.g. the `retry:` block
  return {
    id: fields.get('id') ?? '',
    event: fields.get('event') ?? 'message',
    data: JSON.parse(data) as OrderStreamFrame['data'],
  };
}

/**
 * Connects to GET /orders/:id/stream (with Last-Event-ID when given) and collects its frames as
 * they arrive. Fails unless the answer is a 200 event stream.
 */
export async function openOrderStream(
  orderId: string,
  lastEventId?: string,
  instance = 1,
): Promise<OrderStreamClient> {
  const controller = new AbortController();
  const res = await fetch(url('order-service', `/orders/${orderId}/stream`, instance), {
    headers: {
      ...(await asAdmin()),
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new Error(
      `GET /orders/${orderId}/stream answered ${res.status} ${res.headers.get('content-type')}: ${await res.text()}`,
    );
  }
  const body = res.body;
  if (!body) throw new Error(`GET /orders/${orderId}/stream has no body`);
  const frames: OrderStreamFrame[] = [];
  let ended = false;
  let failure: string | undefined;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseSseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (frame) frames.push(frame);
        }
      }
      ended = true;
    } catch (error) {
      if (!controller.signal.aborted) failure = error instanceof Error ? error.message : 'unknown';
    }
  })();
  const seen = () => frames.map((f) => `${f.id}:${f.event}`).join(', ') || 'nothing';
  return {
    frames: () => [...frames],
    ended: () => ended,
    waitFor: (what, predicate, timeoutMs = 20_000) =>
      eventually(
        `${what} on the stream of order ${orderId}`,
        () => {
          const found = frames.find(predicate);
          if (found) return found;
          throw new Error(`received ${seen()}${ended ? ' and the stream ended' : ''}`);
        },
        { timeoutMs, intervalMs: 20 },
      ),
    waitForEnd: (timeoutMs = 20_000) =>
      eventually(
        `the stream of order ${orderId} to end`,
        () => {
          if (failure !== undefined) throw new Error(`the stream failed: ${failure}`);
          if (!ended) throw new Error(`still open after ${seen()}`);
          return [...frames];
        },
        { timeoutMs, intervalMs: 20 },
      ),
    async close() {
      controller.abort();
      await reading;
    },
  };
}
