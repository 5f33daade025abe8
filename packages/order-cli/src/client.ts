import {
  asProblem,
  isOrderPage,
  isOrderResource,
  type OrderPage,
  type OrderResource,
  type OrderStatus,
  type PlaceOrderBody,
} from './api.js';
import { CliError, HttpProblemError, unreachable } from './errors.js';

/**
 * HTTP client of order-service. Every failure leaves here as a CliError: the service not
 * answering, an error status with its problem details, or an answer that is not what the API
 * returns (a --url pointing at something else).
 */
export interface ClientOptions {
  /** Without a trailing slash; may carry a path prefix (a gateway in front of the service). */
  readonly baseUrl: string;
  /** For the requests that answer at once; the stream is bounded by its caller instead. */
  readonly requestTimeoutMs?: number;
  /** The bearer token every request carries (credentials.ts). */
  readonly token?: () => Promise<string>;
}

export interface PlacedOrder {
  readonly status: number;
  readonly order: OrderResource;
  /** The Location header resolved against the base URL. */
  readonly location: string;
  /** A retry with the same Idempotency-Key and body: the order placed the first time. */
  readonly replayed: boolean;
}

export interface ListQuery {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

export class OrderServiceClient {
  readonly baseUrl: string;
  readonly #requestTimeoutMs: number;
  readonly #token: (() => Promise<string>) | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#token = options.token;
  }

  async placeOrder(body: PlaceOrderBody, idempotencyKey?: string): Promise<PlacedOrder> {
    const response = await this.#send('/orders', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      body: JSON.stringify(body),
    });
    const order = await this.#json(response, isOrderResource, 'an order');
    const location = response.headers.get('location') ?? `/orders/${order.orderId}`;
    return {
      status: response.status,
      order,
      location: new URL(location, `${this.baseUrl}/`).href,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  }

  async getOrder(orderId: string): Promise<OrderResource> {
    const response = await this.#send(`/orders/${encodeURIComponent(orderId)}`, {});
    return this.#json(response, isOrderResource, 'an order');
  }

  async listOrders(query: ListQuery): Promise<OrderPage> {
    const params = new URLSearchParams();
    if (query.customerId !== undefined) params.set('customerId', query.customerId);
    if (query.status !== undefined) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const search = params.size > 0 ? `?${params.toString()}` : '';
    const response = await this.#send(`/orders${search}`, {});
    return this.#json(response, isOrderPage, 'a list of orders');
  }

  /** Opens GET /orders/:id/stream; the body is the raw event stream, ended by `signal` at the latest. */
  async openStream(
    orderId: string,
    options: { readonly lastEventId?: string; readonly signal: AbortSignal },
  ): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#send(
      `/orders/${encodeURIComponent(orderId)}/stream`,
      {
        headers: {
          accept: 'text/event-stream',
          ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
        },
      },
      options.signal,
    );
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || response.body === null) {
      await response.body?.cancel();
      throw new CliError(
        'BAD_RESPONSE',
        `${this.baseUrl} answered ${type || 'no content type'}, not an event stream: is it order-service?`,
      );
    }
    return response.body;
  }

  async #send(path: string, init: RequestInit, stream?: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    const timeout = stream ? undefined : AbortSignal.timeout(this.#requestTimeoutMs);
    const headers = new Headers(init.headers);
    if (this.#token !== undefined) headers.set('authorization', `Bearer ${await this.#token()}`);
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, signal: stream ?? timeout });
    } catch (error) {
      // The caller's own deadline is not the service's fault: let the caller say what it means.
      if (stream?.aborted) throw stream.reason;
      if (timeout?.aborted) {
        throw new CliError(
          'SERVICE_UNREACHABLE',
          `order-service did not answer within ${this.#requestTimeoutMs / 1000} s at ${this.baseUrl}; check it with ./dev stack status`,
          { cause: error },
        );
      }
      throw unreachable(this.baseUrl, error);
    }
    if (!response.ok) {
      const body = await this.#text(response);
      throw new HttpProblemError(response.status, response.statusText, parseProblem(body), body);
    }
    return response;
  }

  async #text(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw new CliError('CONNECTION_LOST', `the connection to ${this.baseUrl} broke mid-answer`, {
        cause: error,
      });
    }
  }

  async #json<T>(
    response: Response,
    isExpected: (value: unknown) => value is T,
    what: string,
  ): Promise<T> {
    const text = await this.#text(response);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!isExpected(value)) {
      throw new CliError(
        'BAD_RESPONSE',
        `${this.baseUrl} did not answer with ${what}: is it order-service? (got: ${text.slice(0, 120) || 'an empty body'})`,
      );
    }
    return value;
  }
}

function parseProblem(body: string): ReturnType<typeof asProblem> {
  try {
    return asProblem(JSON.parse(body));
  } catch {
    return undefined;
  }
}
