import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

/** The libraries a service can ask to have traced automatically. */
export type InstrumentationName = 'http' | 'fastify' | 'pg' | 'kafkajs';

type Instrumentation = NodeSDKConfiguration['instrumentations'][number];

// Scrapes and probes arrive every few seconds; as traces they would drown the real ones.
const UNTRACED_PATHS = new Set([
  '/metrics',
  '/health',
  '/healthz',
  '/ready',
  '/readyz',
  '/live',
  '/livez',
]);

function isUntracedPath(url: string | undefined): boolean {
  return url !== undefined && UNTRACED_PATHS.has(url.split('?', 1)[0] ?? url);
}

export function createInstrumentation(name: InstrumentationName): Instrumentation {
  switch (name) {
    case 'http':
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => isUntracedPath(request.url),
      });
    case 'fastify':
      // @fastify/otel is Fastify's official instrumentation (@opentelemetry/instrumentation-fastify
      // was deprecated and removed). It hooks Fastify's own initialization channel, so it also
      // works in ESM apps where require-hooking cannot reach.
      return new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (route: { url: string }) => isUntracedPath(route.url),
      });
    case 'pg':
      // Only queries inside a traced operation: the outbox relay's background polling would
      // otherwise start a new trace per poll. Parameter values are never recorded (default).
      return new PgInstrumentation({ requireParentSpan: true });
    case 'kafkajs':
      return new KafkaJsInstrumentation();
    default: {
      const unknown: never = name;
      throw new Error(`Unknown instrumentation: ${String(unknown)}`);
    }
  }
}
