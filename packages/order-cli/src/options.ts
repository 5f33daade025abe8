import { InvalidArgumentError } from 'commander';
import { SERVICES } from '@orderflow/contracts';
import type { OrderItem, PlaceOrderBody } from './api.js';
import { CliError } from './errors.js';

/** The CLI's configuration from the environment, and the parsers of its option values. */
export const DEFAULT_BASE_URL = `http://127.0.0.1:${SERVICES['order-service'].port}`;

export interface CliConfig {
  /** order-service's base URL: ORDER_SERVICE_URL, else the local stack's. */
  readonly baseUrl: string;
}

function normaliseUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.search || url.hash) return undefined;
  return url.href.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv): CliConfig {
  const raw = env.ORDER_SERVICE_URL?.trim();
  if (!raw) return Object.freeze({ baseUrl: DEFAULT_BASE_URL });
  const baseUrl = normaliseUrl(raw);
  if (baseUrl === undefined) {
    throw new CliError(
      'INVALID_CONFIG',
      `ORDER_SERVICE_URL '${raw}' is not an http(s) base URL such as ${DEFAULT_BASE_URL}`,
    );
  }
  return Object.freeze({ baseUrl });
}

export function parseUrl(value: string): string {
  const url = normaliseUrl(value);
  if (url === undefined) {
    throw new InvalidArgumentError(`expected an http(s) base URL such as ${DEFAULT_BASE_URL}`);
  }
  return url;
}

const ITEM = /^([^\s:]+):(\d+)$/;

/** `SKU:QTY`, e.g. `USB-C-CABLE:2`; the service checks the SKU against its catalogue. */
export function parseItem(value: string): OrderItem {
  const match = ITEM.exec(value.trim());
  const quantity = Number(match?.[2]);
  if (!match?.[1] || !Number.isSafeInteger(quantity) || quantity < 1) {
    throw new InvalidArgumentError(
      'expected SKU:QTY with a whole quantity of at least 1, e.g. USB-C-CABLE:2',
    );
  }
  return { sku: match[1], quantity };
}

/** Commander's accumulator for the repeatable --item. */
export function collectItem(
  value: string,
  previous: readonly OrderItem[] | undefined,
): OrderItem[] {
  return [...(previous ?? []), parseItem(value)];
}

export function parseCountry(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) {
    throw new InvalidArgumentError('expected a two-letter ISO 3166-1 country code, e.g. FR');
  }
  return code;
}

export function parseTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('expected a number of seconds greater than 0, e.g. 60');
  }
  return seconds;
}

/** The service's page size bound (order-service MAX_PAGE). */
export const MAX_LIMIT = 100;

export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** `place`'s options as commander hands them over. */
export interface PlaceOptions {
  readonly item: readonly OrderItem[];
  readonly token: string;
  readonly customer: string;
  readonly country: string;
  readonly name: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
}

export function placeOrderBody(opts: PlaceOptions): PlaceOrderBody {
  return {
    customerId: opts.customer,
    items: opts.item,
    payment: { token: opts.token },
    shippingAddress: {
      name: opts.name,
      line1: opts.line1,
      ...(opts.line2 === undefined ? {} : { line2: opts.line2 }),
      city: opts.city,
      postalCode: opts.postalCode,
      country: opts.country,
    },
  };
}
