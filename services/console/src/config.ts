import { fileURLToPath } from 'node:url';
import { SERVICES, SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { commonEnv, loadConfig, port, securityEnv, z, type Env } from '@orderflow/service-runtime';

/** The console's environment: read once at start, validated, frozen. */
const serviceUrl = (service: ServiceName) =>
  z.url().default(`http://127.0.0.1:${SERVICES[service].port}`);

// src/../dist/web and dist/../dist/web are the same folder: the Vite build's output.
const WEB_DIR = fileURLToPath(new URL('../dist/web', import.meta.url));

export const configSchema = z.object({
  PORT: port(3005),
  /** Loopback by default: the console acts with an admin identity and has no login of its own. */
  HOST: z.string().min(1).default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ORDER_SERVICE_URL: serviceUrl('order-service'),
  INVENTORY_SERVICE_URL: serviceUrl('inventory-service'),
  PAYMENT_SERVICE_URL: serviceUrl('payment-service'),
  SHIPPING_SERVICE_URL: serviceUrl('shipping-service'),
  ORDER_SAGA_URL: serviceUrl('order-saga'),
  /** A bearer token sent to every service as is (admin role: list all orders, resume sagas). */
  CONSOLE_ADMIN_TOKEN: z.string().min(1).optional(),
  /** …or a PKCS#8 PEM key the console signs its own short-lived admin tokens with. */
  CONSOLE_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Subject of the tokens the console signs. */
  CONSOLE_TOKEN_SUBJECT: z.string().min(1).max(128).default('orderflow-console'),
  /** The trace UI the order page links to (Zipkin's UI root). */
  ZIPKIN_URL: z.url().default('http://127.0.0.1:9411/zipkin'),
  /** Where the built page is (the Vite build); served at /. */
  CONSOLE_WEB_DIR: z.string().min(1).default(WEB_DIR),
  /** How long one call to a service may take before the console reports it down. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** How often the live order list asks order-service for changes. */
  ORDERS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** How often the health sampler scrapes /metrics, and how many samples it keeps. */
  HEALTH_SAMPLE_MS: z.coerce.number().int().min(250).max(60_000).default(2_000),
  HEALTH_SAMPLES_KEPT: z.coerce.number().int().min(2).max(10_000).default(150),
  /** Largest number of records one DLQ replay may send. */
  DLQ_REPLAY_MAX: z.coerce.number().int().min(1).max(10_000).default(500),
  ...securityEnv,
  ...commonEnv,
});

export type ConsoleConfig = Readonly<z.output<typeof configSchema>>;

export function consoleConfig(env: Env = process.env): ConsoleConfig {
  return loadConfig(configSchema, env);
}

/** Each service's base URL, by name. */
export function serviceUrls(config: ConsoleConfig): Readonly<Record<ServiceName, string>> {
  const byName: Record<ServiceName, string> = {
    'order-service': config.ORDER_SERVICE_URL,
    'inventory-service': config.INVENTORY_SERVICE_URL,
    'payment-service': config.PAYMENT_SERVICE_URL,
    'shipping-service': config.SHIPPING_SERVICE_URL,
    'order-saga': config.ORDER_SAGA_URL,
  };
  return Object.freeze(
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, byName[s].replace(/\/+$/, '')])),
  ) as Record<ServiceName, string>;
}
