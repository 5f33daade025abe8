import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Kafka } from 'kafkajs';
import { AvroSerde, createKafka } from '@orderflow/messaging';
import {
  buildHttpApp,
  httpSecurity,
  kafkaSecurityOf,
  type HttpApp,
} from '@orderflow/service-runtime';
import type { Logger } from '@orderflow/telemetry';
import { serviceUrls, type ConsoleConfig } from './config.js';
import { HealthSampler } from './health/sampler.js';
import { attentionRoutes } from './routes/attention.js';
import { dlqRoutes } from './routes/dlq.js';
import { healthRoutes } from './routes/health.js';
import { orderRoutes } from './routes/orders.js';
import { authorizationFrom, Upstreams, type Authorization } from './upstream.js';

/** Wires the console's server from its config; never listens (main.ts does). */
export const SERVICE = 'console' as const;

export interface ConsoleDeps {
  readonly logger: Logger;
  /** How calls to the services are authorized; default: from the config (upstream.ts). */
  readonly authorization?: Authorization;
}

export interface ConsoleApp {
  readonly http: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function buildApp(config: ConsoleConfig, deps: ConsoleDeps): Promise<ConsoleApp> {
  const upstreams = new Upstreams(
    serviceUrls(config),
    deps.authorization ?? (await authorizationFrom(config)),
    config.UPSTREAM_TIMEOUT_MS,
  );
  const kafka: Kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'orderflow-console',
    logger: deps.logger,
    security: kafkaSecurityOf(config),
  });
  const serde = new AvroSerde({ registryUrl: config.SCHEMA_REGISTRY_URL });
  const sampler = new HealthSampler(upstreams, {
    intervalMs: config.HEALTH_SAMPLE_MS,
    kept: config.HEALTH_SAMPLES_KEPT,
    logger: deps.logger,
  });
  const closing = new AbortController();
  const index = path.join(config.CONSOLE_WEB_DIR, 'index.html');

  const http = await buildHttpApp({
    service: SERVICE,
    logger: deps.logger,
    security: httpSecurity(config),
    description: "Operator console: reads the services' HTTP APIs, and the DLQ topics.",
    readiness: () =>
      Promise.resolve({ page: existsSync(index) ? 'ok' : `no built page at ${index}` }),
  });
  http.addHook('preClose', async () => {
    closing.abort();
    await Promise.resolve();
  });

  http.get('/api/config', { config: { access: 'public' } }, () =>
    Promise.resolve({ zipkinUrl: config.ZIPKIN_URL.replace(/\/+$/, '') }),
  );
  orderRoutes(http, upstreams, { pollMs: config.ORDERS_POLL_MS, closing: closing.signal });
  attentionRoutes(http, upstreams);
  dlqRoutes(http, { kafka, serde, replayMax: config.DLQ_REPLAY_MAX });
  healthRoutes(http, { upstreams, kafka, sampler });

  // The page and its assets: public, like the API it calls (see README: Console, access).
  // @fastify/static's routes carry no access rule of their own, hence the hook (added first).
  http.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) route.config = { ...route.config, access: 'public' };
  });
  await http.register(fastifyStatic, {
    root: config.CONSOLE_WEB_DIR,
    wildcard: false,
    index: 'index.html',
  });

  return {
    http,
    start: () => Promise.resolve(sampler.start()),
    async stop() {
      closing.abort();
      await sampler.stop();
      await http.close();
    },
  };
}
